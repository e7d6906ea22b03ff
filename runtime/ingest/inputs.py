"""Input matching: which input (mo- interface) a datagram belongs to (SPEC §4).

A datagram on an input's own listen socket belongs to that input; otherwise to the first
input whose exporter source address and header engine type / engine id match (a field
the plan leaves open matches anything). A valid datagram that matches nothing is kept
under an ifAlias made from the exporter's address (`198_51_100_7`) with the collector's
default file specification: engine fields never make records vanish. A `Route` carries
what the hot path needs (file key, line format, the input's counters), cached per
(socket, exporter address, engine type, engine id).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowc.runtime.ingest.hotpath import HotPath, current
from flowc.runtime.plan.model import Collector, Endpoint, Input, Plan
from flowc.runtime.stats import InputView

CACHE_LIMIT = 65536


@dataclass(slots=True)
class Route:
    """Where a matched datagram goes: file key, line format, and its input's counters."""

    interface: str
    key: tuple[str, str]
    lines: Callable[[Any, int], bytes]
    packets: int = 0
    bytes: int = 0


class InputTable:
    """The inputs of one collector, its listen endpoints, and the routes seen so far."""

    def __init__(self, plan: Plan, collector: Collector, specs: set[str], default_spec: str,
                 log: logging.Logger, hot: HotPath | None = None) -> None:
        self.plan, self.collector, self.log = plan, collector, log
        self.hot = hot or current()
        self.specs, self.default_spec = specs, default_spec
        self.endpoints = endpoints(collector)
        self.routes: dict[tuple[int, str, int, int], Route] = {}
        self.named: dict[str, Route] = {}

    def route(self, index: int, source: str, engine_type: int, engine_id: int) -> Route:
        """The route of a datagram not seen before (then cached)."""
        if len(self.routes) > CACHE_LIMIT:
            self.routes.clear()
        found = self.match(index, source, engine_type, engine_id)
        if found is not None:
            name, alias, spec = found.interface, found.if_alias, found.file_spec
        else:
            name, alias, spec = source, source.replace(".", "_").replace(":", "_"), self.default_spec
            if source not in self.named:
                self.log.info("unmatched exporter kept address=%s ifalias=%s engine_type=%d "
                              "engine_id=%d", source, alias, engine_type, engine_id)
        route = self.named.get(name)
        if route is None:
            fmt = self.hot.line_format(self.plan.analyzer_address, self.plan.analyzer_id, alias, None)
            key = (spec if spec in self.specs else self.default_spec, alias)
            route = self.named[name] = Route(name, key, fmt.lines)
        self.routes[(index, source, engine_type, engine_id)] = route
        return route

    def match(self, index: int, source: str, engine_type: int, engine_id: int) -> Input | None:
        endpoint = self.endpoints[index]
        here = [i for i in self.collector.inputs if _listen_of(i, self.collector) == endpoint]
        if index > 0 and len(here) == 1:
            return here[0]
        for candidate in here:
            if ((candidate.source_address in (None, source))
                    and candidate.engine_type in (None, engine_type)
                    and candidate.engine_id in (None, engine_id)):
                return candidate
        return None

    def port_index(self, port: int) -> int:
        """The listen endpoint with this port (replay), else the collector's own."""
        for index, endpoint in enumerate(self.endpoints):
            if endpoint.port == port:
                return index
        return 0

    def clear(self) -> None:
        """`clear … statistics`: the per-input counters back to zero."""
        for route in self.named.values():
            route.packets = route.bytes = 0

    def views(self) -> list[InputView]:
        """`show … input`: configured inputs in plan order, then unmatched exporters."""
        views: list[InputView] = []
        for item in self.collector.inputs:
            route = self.named.get(item.interface)
            views.append({"interface": item.interface, "packets": route.packets if route else 0,
                          "bytes": route.bytes if route else 0})
        configured = {i.interface for i in self.collector.inputs}
        views += [{"interface": name, "packets": r.packets, "bytes": r.bytes}
                  for name, r in self.named.items() if name not in configured]
        return views


def _listen_of(item: Input, collector: Collector) -> Endpoint:
    return item.listen if item.listen is not None else collector.listen


def endpoints(collector: Collector) -> list[Endpoint]:
    """The collector's listen endpoint first, then each distinct input listen endpoint."""
    found = [collector.listen]
    for item in collector.inputs:
        if item.listen is not None and item.listen not in found:
            found.append(item.listen)
    return found
