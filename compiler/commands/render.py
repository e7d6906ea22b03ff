"""`flowc render (CONFIG|PLAN) --target shell|systemd|compose|kubernetes -o DIR`."""
from __future__ import annotations

import argparse
import sys

from flowc.compiler.render.setup import DEFAULT_IMAGE, SERVICE_TYPES, TARGETS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "render", help="turn a configuration or plan into a runnable setup",
        description="Write a runnable setup for the plan: a start/stop script (shell), one "
                    "systemd unit per collector interface, a Compose file or Kubernetes "
                    "manifests; each with the plan, the site settings and a README.")
    parser.add_argument("source", metavar="CONFIG|PLAN", help="Junos configuration or plan.json/plan.yaml")
    parser.add_argument("--target", required=True, choices=TARGETS,
                        help="shell (one script), systemd (a unit per collector), compose or kubernetes")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write (created)")
    parser.add_argument("--site", metavar="SITE", help="site overlay (YAML) applied to the plan first")
    parser.add_argument("--image", default=DEFAULT_IMAGE, help=f"container image (default {DEFAULT_IMAGE})")
    parser.add_argument("--flowc", metavar="COMMAND",
                        help="how the setup calls flowc (default: `flowc`; systemd: /usr/local/bin/flowc)")
    parser.add_argument("--storage", default="1Gi", help="spool volume size for kubernetes (default 1Gi)")
    parser.add_argument("--service-type", default="ClusterIP", choices=SERVICE_TYPES,
                        help="kubernetes Service type (default ClusterIP; NodePort and LoadBalancer "
                             "get externalTrafficPolicy: Local)")
    parser.set_defaults(handler=render_command)


def render_command(args: argparse.Namespace) -> int:
    from flowc.compiler.api import load_plan_or_config
    from flowc.compiler.lowering.site import findings_text, load_site
    from flowc.compiler.render.fit import misfits
    from flowc.compiler.render.setup import Options, render, write_files

    site = load_site(args.site) if args.site else None
    plan = load_plan_or_config(args.source, site)
    sys.stderr.write(findings_text(misfits(plan, args.target, site, args.source)))
    options = Options(image=args.image, flowc=args.flowc, storage=args.storage, service_type=args.service_type)
    files = render(plan, args.target, options, site)
    for path in write_files(files, args.output):
        print(path)
    print(f"flowc: {args.target} setup for {len(plan.collectors)} collector(s) written to {args.output}",
          file=sys.stderr)
    return 0
