"""Semantic rules (FC2xx), one family per module, and the explicit registry of all codes.

`REGISTRY` lists every code flowc reports that a user can select, ignore or re-rate:
the structural codes (FC1xx, reported while folding and validating), the semantic rules
(FC2xx, run on the IR) and the lint's own codes (FC29x, suppressions).
"""
from __future__ import annotations

from flowc.compiler.diagnostics import Severity
from flowc.compiler.rules import cos, cp_interfaces, export, files, inputs, interface_map, monitoring
from flowc.compiler.rules.rule import Rule

STRUCTURE = (
    Rule("FC101", "statement.unknown", Severity.ERROR, doc="""Unknown statement inside a validated hierarchy.

        Reported with a "did you mean" when a known statement is close.
        Bad:
            services { flow-collector { rety 3; } }
        Good:
            services { flow-collector { retry 3; } }
        """),
    Rule("FC102", "value.type", Severity.ERROR, doc="""A value of the wrong type or form.

        Numbers where numbers belong, IPv4 addresses, filename-prefix characters.
        Bad:
            analyzer-address 10.10.10;
        Good:
            analyzer-address 10.10.10.1;
        """),
    Rule("FC103", "value.range", Severity.ERROR, doc="""A value out of its range (or of its length range).

        retry 0..10, retry-delay 0..60, record-level 10000..1000000, timeout 60..1800,
        maximum-age 1..360, analyzer-id 1..64 characters.
        Bad:
            retry 11;
        Good:
            retry 3;
        """),
    Rule("FC104", "value.enum", Severity.ERROR, doc="""A value that is not one of the allowed words.

        Bad:
            data-format flow-compresed;
        Good:
            data-format flow-compressed;
        """),
    Rule("FC105", "entries.too-many", Severity.ERROR, doc="""Too many entries in a list.

        At most 2 destinations (primary, secondary), 5 archive sites, 8 cflowd hosts.
        Bad:
            destinations { "ftp://a/" {…} "ftp://b/" {…} "ftp://c/" {…} }
        Good:
            destinations { "ftp://a/" {…} "ftp://b/" {…} }
        """),
    Rule("FC106", "value.missing", Severity.ERROR, doc="""A statement that needs a value has none.

        Bad:
            retry;
        Good:
            retry 3;
        """),
    Rule("FC107", "value.conflict", Severity.WARNING, doc="""A single-valued statement is set twice with different values.

        The last one wins, as when Junos loads the text.
        Bad:
            retry 3; retry 5;
        Good:
            retry 5;
        """),
    Rule("FC110", "junos.statement.unknown", Severity.WARNING, doc="""A keyword Junos' schema does not know at that level, close to one it does (a typo).

        Only with `lint --schema` (or `schema = true`); checked anywhere in the configuration
        against Junos 24.4's schema (junoscfg). Unknown words with no close known keyword are
        not reported: they are more likely statements of another version or platform.
        Bad:
            protocols { ospf { area 0.0.0.0 { interface lo0.0 { pasive; } } } }
        Good:
            protocols { ospf { area 0.0.0.0 { interface lo0.0 { passive; } } } }
        """),
    Rule("FC111", "junos.value.enum", Severity.WARNING, doc="""A value outside the words a Junos leaf allows.

        Only with `lint --schema`. Numbers and names are never reported (most of Junos'
        enumerations stand beside a number or a name).
        Bad:
            system { services { ssh { root-login allwo; } } }
        Good:
            system { services { ssh { root-login allow; } } }
        """),
    Rule("FC112", "junos.value.pattern", Severity.WARNING, doc="""A value outside the pattern Junos' schema gives a leaf.

        Only with `lint --schema`.
        Bad:
            system { host-name "router one"; }
        Good:
            system { host-name router-one; }
        """),
)

SEMANTIC = (
    *interface_map.RULES,
    *cp_interfaces.RULES,
    *cos.RULES,
    *inputs.RULES,
    *monitoring.RULES,
    *files.RULES,
    *export.RULES,
)

LINT = (
    Rule("FC290", "suppression.unused", Severity.WARNING, doc="""An inline suppression silenced nothing.

        Bad:
            /* flowc: ignore FC203 */
            retry 3;
        Good:
            retry 3;
        """),
    Rule("FC291", "suppression.unknown-code", Severity.WARNING, doc="""An inline suppression names a code flowc does not have.

        Bad:
            # flowc: ignore FC999
        Good:
            # flowc: ignore FC263
        """),
)

REGISTRY: dict[str, Rule] = {r.code: r for r in (*STRUCTURE, *SEMANTIC, *LINT)}
BY_NAME: dict[str, Rule] = {r.name: r for r in REGISTRY.values()}


def lookup(key: str) -> Rule | None:
    """A rule by code (`FC201`, any case) or dotted name (`interface-map.unknown-file-spec`)."""
    return REGISTRY.get(key.upper()) or BY_NAME.get(key)


__all__ = ["BY_NAME", "LINT", "REGISTRY", "SEMANTIC", "STRUCTURE", "lookup"]
