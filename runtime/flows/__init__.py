"""Reading delivered flow files: filters, top-N, time series, output formats, plots."""
