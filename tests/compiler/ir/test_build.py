"""Building the IR from a folded document: order, defaults, tolerated bad values, spans."""
from __future__ import annotations

import pytest

from flowc.compiler.document.fold import Document
from flowc.compiler.fmt.printer import to_set
from flowc.compiler.ir import model as ir
from flowc.compiler.ir.build import build, username_of
from flowc.compiler.parse.loader import parse_text

COLLECTOR = """\
system { host-name r1; }
services {
    flow-collector {
        analyzer-address 10.10.10.1;
        analyzer-id server1;
        retry 3;
        destinations {
            "ftp://alice@192.0.2.1/flows/" { password "$9$ReqcyKY2aHqf"; }
            "ftp://192.0.2.2/flows/" { password plain; username bob; }
        }
        file-specification {
            variant 1 { name-format "a-%N.gz"; transfer timeout 120 record-level 20000; }
            daily { data-format flow-compressed; }
        }
        interface-map {
            collector cp-6/0/0;
            file-specification 1;
            mo-7/1/0.0 { collector cp-7/0/0; }
            mo-7/2/0.0 { file-specification daily; }
        }
        transfer-log-archive {
            filename-prefix r1;
            archive-sites { "ftp://carol@192.0.2.3/logs/" password "$9$ReqcyKY2aHqf"; }
        }
    }
}
"""


def test_no_flow_collector_is_none_not_an_empty_one(ir_of) -> None:  # type: ignore[no-untyped-def]
    config = ir_of("system { host-name r2; }\n")
    assert config.collector is None and config.host_name == "r2"
    assert config == ir.FlowCollectorConfig(host_name="r2")
    assert build(Document()) == ir.FlowCollectorConfig()


def test_collector_values_and_order(ir_of) -> None:  # type: ignore[no-untyped-def]
    fc = ir_of(COLLECTOR).collector
    assert (fc.analyzer_address, fc.analyzer_id, fc.retry, fc.retry_delay) == ("10.10.10.1", "server1", 3, 0)
    assert fc.destinations == (
        ir.FtpSite("ftp://alice@192.0.2.1/flows/", "$9$ReqcyKY2aHqf", "alice"),
        ir.FtpSite("ftp://192.0.2.2/flows/", "plain", "bob"),
    )
    assert fc.file_specs == (
        ir.FileSpec("1", variant=True, name_format="a-%N.gz", record_level=20000, timeout=120),
        ir.FileSpec("daily"),
    )
    assert fc.transfer_log_archive == ir.TransferLogArchive(
        "r1", 120, (ir.FtpSite("ftp://carol@192.0.2.3/logs/", "$9$ReqcyKY2aHqf", "carol"),))


def test_interface_map_defaults_and_entries(ir_of) -> None:  # type: ignore[no-untyped-def]
    imap = ir_of(COLLECTOR).collector.interface_map
    assert (imap.collector, imap.file_spec) == ("cp-6/0/0", "1")
    assert imap.entries == (ir.MapEntry("mo-7/1/0.0", collector="cp-7/0/0"),
                            ir.MapEntry("mo-7/2/0.0", file_spec="daily"))
    first, second = imap.entries
    assert (imap.collector_of(first), imap.file_spec_of(first)) == ("cp-7/0/0", "1")
    assert (imap.collector_of(second), imap.file_spec_of(second)) == ("cp-6/0/0", "daily")


def test_spans_point_at_the_words(ir_of) -> None:  # type: ignore[no-untyped-def]
    config = ir_of(COLLECTOR)
    fc = config.collector
    assert (config.host_name_span.line, config.host_name_span.column) == (1, 20)
    assert (fc.span.line, fc.span.column) == (3, 5)
    site = fc.destinations[0]
    assert (site.span.line, site.span.column, site.password_span.line) == (8, 13, 8)
    assert fc.destinations[1].password_span is not None
    assert fc.file_specs[0].name_format_span.line == 12 and fc.file_specs[1].name_format_span is None
    assert (fc.interface_map.entries[0].collector_span.line, fc.interface_map.entries[0].collector_span.column) == (18, 36)
    assert fc.interface_map.entries[0].file_spec_span is None


def test_a_brace_text_and_its_set_twin_give_equal_ir(ir_of) -> None:  # type: ignore[no-untyped-def]
    twin = to_set(parse_text(COLLECTOR, "t.conf").statements)
    assert ir_of(twin, "t.set") == ir_of(COLLECTOR)
    assert ir_of(twin, "t.set").collector.destinations[0].span.file == "t.set"


@pytest.mark.parametrize(("statement", "field", "default"), [
    ("retry many;", "retry", ir.DEFAULT_RETRY),
    ("retry-delay soon;", "retry_delay", ir.DEFAULT_RETRY_DELAY),
])
def test_a_non_number_falls_back_to_the_default(ir_of, statement: str, field: str, default: int) -> None:  # type: ignore[no-untyped-def]
    fc = ir_of(f"services {{ flow-collector {{ {statement} }} }}\n").collector
    assert getattr(fc, field) == default


def test_out_of_range_numbers_are_kept_for_the_rules_but_age_zero_is_the_default(ir_of) -> None:  # type: ignore[no-untyped-def]
    fc = ir_of("services { flow-collector { retry 99; transfer-log-archive { maximum-age 0; } "
               "file-specification { variant 1 { transfer record-level 5; } } } }\n").collector
    assert fc.retry == 99 and fc.file_specs[0].record_level == 5
    assert fc.transfer_log_archive.maximum_age == ir.DEFAULT_MAXIMUM_AGE


INTERFACES = """\
interfaces {
    cp-6/0/0 {
        description "collector";
        unit 0 { family inet { address 10.0.0.1/32 { destination 10.0.0.2; } filter { input in; output out; } } }
        unit 1 { family inet { address 10.0.1.1/32; } }
        unit all;
    }
    mo-7/1/0 { unit 0 { description "to core"; family inet; } }
    ge-0/0/0 { unit 0 { family inet { address 192.0.2.1/24; } } }
}
"""


def test_interfaces_units_and_addresses(ir_of) -> None:  # type: ignore[no-untyped-def]
    config = ir_of(INTERFACES)
    cp = config.interface("cp-6/0/0")
    assert cp.description == "collector"
    assert [u.name for u in cp.units] == ["cp-6/0/0.0", "cp-6/0/0.1"]  # `unit all` is not a unit number
    assert cp.units[0] == ir.LogicalUnit("cp-6/0/0.0", 0, None, (ir.Address("10.0.0.1/32", "10.0.0.2"),), "in", "out")
    assert cp.units[1].addresses == (ir.Address("10.0.1.1/32"),)
    assert config.unit("mo-7/1/0.0").description == "to core"


MONITORING = """\
forwarding-options {
    monitoring g1 {
        family inet {
            output {
                flow-export-destination collector-pic;
                cflowd 192.0.2.9 port 2055;
                cflowd 192.0.2.8;
                interface mo-7/1/0.0 { engine-id 1; engine-type 2; source-address 10.0.0.1; input-interface-index 3; output-interface-index 4; }
            }
        }
    }
}
chassis {
    redundancy { graceful-switchover; }
    fpc 6 { pic 0 { monitoring-services { application flow-collector; } } pic 1 { monitoring-services { application monitor; } } }
    fpc 7 { pic 2; }
}
"""


def test_monitoring_groups(ir_of) -> None:  # type: ignore[no-untyped-def]
    (group,) = ir_of(MONITORING).monitoring
    assert (group.name, group.flow_export_destination) == ("g1", "collector-pic")
    assert group.cflowd == (ir.CflowdHost("192.0.2.9", 2055), ir.CflowdHost("192.0.2.8", None))
    assert group.interfaces == (ir.MonitoringOutput("mo-7/1/0.0", 1, 2, "10.0.0.1", 3, 4),)
    assert group.destination_span.line == 5


def test_chassis_pics_and_gres(ir_of) -> None:  # type: ignore[no-untyped-def]
    chassis = ir_of(MONITORING).chassis
    assert chassis.pics == (ir.Pic(6, 0, "flow-collector"), ir.Pic(6, 1, "monitor"), ir.Pic(7, 2, None))
    assert chassis.graceful_switchover and chassis.graceful_switchover_span.line == 14
    assert ir_of("chassis { fpc 6 { pic 0; } }\n").chassis.graceful_switchover is False


def test_filters_from_both_hierarchies_first_wins_classes_in_term_order(ir_of) -> None:  # type: ignore[no-untyped-def]
    config = ir_of("""\
firewall {
    filter f1 { term a { then forwarding-class fc-b; } term b { then accept; } term c { then forwarding-class fc-a; } }
    family inet { filter f1 { term x { then forwarding-class other; } } filter f2 { term y { then forwarding-class fc-c; } } }
}
""")
    assert [(f.name, f.forwarding_classes) for f in config.filters] == [("f1", ("fc-b", "fc-a")), ("f2", ("fc-c",))]
    assert [t.name for t in config.filters[0].terms] == ["a", "b", "c"]
    assert config.filter("f2").span.line == 3 and config.filter("nope") is None


@pytest.mark.parametrize(("url", "user"), [
    ("ftp://alice@h/", "alice"),
    ("ftp://a%40b:pw@h/", "a@b"),
    ("ftp://h/", ""),
    ("ftp://[::1/", ""),  # not a URL urlsplit accepts
    ("not a url", ""),
])
def test_username_of(url: str, user: str) -> None:
    assert username_of(url) == user
