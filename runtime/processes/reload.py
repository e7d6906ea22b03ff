"""Live reload: apply a new plan to a running engine (docs/reload.md).

`apply_plan(supervisor, new)` computes `flowc.runtime.plan.delta.delta(old, new)` and, unless
the delta is empty, refused (the control socket moved) or impossible (a new listen
address is taken), applies it: collectors that are gone are stopped as on SIGTERM (their
active files closed and published), collectors whose receive side changed are stopped
and started again with the new plan, new collectors are started, and collectors whose
export side only changed get the new settings in place (`reconfigure`). Unchanged
collectors are not touched (a new `spool:` restarts them all, and their waiting files
are carried to it: `flowc.runtime.processes.carry`), and the socket of an endpoint both plans use is never
closed (the supervisor owns it): nothing sent to it is lost, even to a restarted one.
"""
from __future__ import annotations

from typing import Any

from flowc.runtime.files.spool import SpoolDirs
from flowc.runtime.ingest.inputs import endpoints
from flowc.runtime.ingest.sockets import ListenError
from flowc.runtime.ops.messages import Failure, Reconfigure, ReloadReply, State
from flowc.runtime.plan.delta import PlanDelta, delta
from flowc.runtime.plan.model import Plan
from flowc.runtime.processes.carry import carry_over
from flowc.runtime.processes.handle import Child


def _reply(change: PlanDelta, *, error: str | None = None, message: str | None = None) -> ReloadReply:
    """A reload reply: ok unless `error`, with what the new plan did."""
    return ReloadReply(tuple(change.started), tuple(change.stopped), tuple(change.restarted),
                       tuple(change.export_only), tuple(change.unchanged), error, message)


def apply_plan(supervisor: Any, new: Plan) -> ReloadReply:
    """Apply `new` to the supervisor's collectors; a control-style reply."""
    change = delta(supervisor.plan, new)
    if change.engine_restart:
        return _reply(change, error=f"the control socket moves to {new.control}: restart the engine "
                                  "to apply this plan (nothing was changed)")
    if change.empty:
        return _reply(change, message="the plan is unchanged: nothing to do")
    with supervisor.changing:
        problem = bind_new(supervisor, new, change)
        if problem:
            return _reply(change, error=f"{problem} (nothing was changed)")
        problems = _apply(supervisor, new, change)
        supervisor.sockets.keep(e for c in new.collectors for e in endpoints(c))
    supervisor.log.info("reload applied started=%s stopped=%s restarted=%s export_only=%s",
                        *(",".join(names) or "-" for names in
                          (change.started, change.stopped, change.restarted, change.export_only)))
    if problems:
        return _reply(change, error="; ".join(problems))
    return _reply(change, message="reload applied")


def _apply(supervisor: Any, new: Plan, change: PlanDelta) -> list[str]:
    old = {c.interface: c for c in supervisor.children}
    for name in change.stopped + change.restarted:
        supervisor.stop_one(old[name])
    for collector in new.collectors:
        SpoolDirs.for_collector(new.spool, collector.interface).create()
        if new.spool != supervisor.plan.spool and collector.interface in old:
            carry_over(SpoolDirs.for_collector(supervisor.plan.spool, collector.interface),
                       SpoolDirs.for_collector(new.spool, collector.interface), supervisor.log,
                       collector.interface)
    supervisor.plan = new
    supervisor.children = [old.get(c.interface) or Child(c.interface) for c in new.collectors]
    current = {c.interface: c for c in supervisor.children}
    problems = []
    for name in change.restarted + change.started:
        child = current[name]
        child.restarts, child.next_start = 0, 0.0
        supervisor.start(child)
        if problem := supervisor.wait_ready(child):
            problems.append(problem)
    for name in change.export_only:
        reply = current[name].request(Reconfigure(new), State)
        if isinstance(reply, Failure):
            problems.append(reply.error)
        elif not reply.ok:
            problems.append(reply.message or f"{name}: reconfigure failed")
    return problems


def bind_new(supervisor: Any, new: Plan, change: PlanDelta) -> str | None:
    """Bind every endpoint the new plan needs before anything stops; why not, if it fails."""
    for name in change.started + change.restarted:
        try:
            supervisor.sockets.ensure(endpoints(new.collector(name)))
        except ListenError as exc:
            supervisor.sockets.keep(e for c in supervisor.plan.collectors for e in endpoints(c))
            return f"{name}: {exc}"
    return None
