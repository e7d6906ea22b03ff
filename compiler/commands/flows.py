"""`flowc flows PATH…`: filters, top-N, time series, CSV/JSON/Parquet and plots over flow files.

The handler hands the options to `flowc.runtime.flows.session` (imported inside the handler,
as the layering contract allows CLI handlers) and turns its errors into exit 2 messages,
a filter's with the column of the mistake. `flows_summary()` is the end of `flowc demo`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flowc.compiler.diagnostics import UsageError

FORMATS = ("table", "csv", "json", "parquet")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "flows", help="read delivered flow files: filters, top-N, time series, CSV/JSON/Parquet, plots",
        description="Query flow files (gzip or plain, the 16 `|`-separated fields) from folders or files: "
                    "an nfdump-like filter, top-N statistics, time series, tables, CSV, JSON, Parquet and "
                    "plots (docs/flows.md).")
    p.add_argument("paths", nargs="*", metavar="PATH", help="flow files or folders (searched recursively)")
    p.add_argument("--site", metavar="SITE", help="also read the ready files of this site's spool")
    p.add_argument("-f", "--filter", default="", metavar="EXPR",
                   help="e.g. 'src net 10.0.0.0/8 and dst port 443 and proto tcp'")
    p.add_argument("--since", metavar="TIME", help="flows starting at or after (Unix seconds or ISO 8601, UTC)")
    p.add_argument("--until", metavar="TIME", help="flows ending before (Unix seconds or ISO 8601, UTC)")
    p.add_argument("--analyzer", action="append", default=[], metavar="ADDR", help="analyzer address (repeatable)")
    p.add_argument("--if-alias", action="append", default=[], metavar="NAME", help="ifAlias (repeatable)")
    p.add_argument("--top", type=int, metavar="N", help="the N first groups (default 10 with --by)")
    p.add_argument("--by", metavar="FIELD[,FIELD…]", help="group by srcip, dstip, srcport, dstport, srcas, "
                   "dstas, proto, ifalias, analyzer, flags (several: pairs)")
    p.add_argument("--order", choices=("flows", "packets", "bytes"), default="bytes", help="default bytes")
    p.add_argument("--every", metavar="STEP", help="a time series by start time: 1m, 5m, 1h …")
    p.add_argument("--limit", type=int, metavar="N", help="records listed (table default 20)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="an aligned table (default), or csv/json on stdout (or -o), or parquet (needs -o)")
    p.add_argument("-o", "--output", metavar="FILE", help="write csv/json/parquet here (parquet needs it)")
    p.add_argument("--plot", metavar="FILE.png|svg", help="a chart of a time series or a top-N")
    p.add_argument("--glob", default="*.gz", metavar="PATTERN", help="flow file names in folders (default *.gz)")
    p.add_argument("--sidecars", choices=("auto", "write", "off"), default="auto",
                   help="Parquet sidecars: use fresh ones (auto), write missing ones first (write), ignore (off)")
    p.set_defaults(handler=flows_command)


def flows_command(args: argparse.Namespace) -> int:
    from flowc.runtime.flows.engine import FlowsError
    from flowc.runtime.flows.filter import FilterError
    from flowc.runtime.flows.query import QueryError
    from flowc.runtime.flows.session import Options, run

    options = Options(
        tuple(Path(p) for p in args.paths), _spool(args.site), args.filter, args.since, args.until,
        tuple(args.analyzer), tuple(args.if_alias), args.top, args.by, args.order, args.every, args.limit,
        args.format, Path(args.output) if args.output else None, Path(args.plot) if args.plot else None,
        args.glob, args.sidecars)
    try:
        return run(options, sys.stdout, sys.stderr)
    except FilterError as exc:
        raise UsageError(f"filter, column {exc.column}: {exc.message}\n  {args.filter}\n"
                         f"  {' ' * (exc.column - 1)}^") from None
    except (QueryError, FlowsError) as exc:
        raise UsageError(str(exc)) from None


def _spool(site_file: str | None) -> Path | None:
    """The spool of a site overlay (`--site`), where `flowc run` keeps ready files."""
    if site_file is None:
        return None
    from flowc.compiler.api import read_site
    from flowc.compiler.lowering.site import DEFAULT_SPOOL

    site = read_site(site_file)
    return Path((site.spool if site else None) or DEFAULT_SPOOL)


def flows_summary(folder: Path, plot_file: Path) -> None:
    """The end of `flowc demo`: the top-5 talkers of the files in `folder` and a PNG."""
    from flowc.runtime.flows.session import summary_for_demo

    print(f"\n== 10. what was collected: flowc flows {folder} --top 5 --by srcip --order bytes")
    summary_for_demo(folder, plot_file, sys.stdout)
    print(f"   bytes per second of the demo traffic, plotted: {plot_file}")
