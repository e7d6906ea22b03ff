"""The compiler half of flowc: Junos text to statements, document, IR, diagnostics and plan."""
