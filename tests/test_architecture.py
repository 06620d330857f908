"""The layers of docs/architecture.md, read from the AST by bench/architecture.py: what already
holds stays held (issue 24). The whole target is not a test yet; `--check` says what is left."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "architecture.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["architecture"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


arch = _load()


@pytest.fixture(scope="module")
def imports() -> list[object]:
    return arch.all_imports(arch.discover())  # type: ignore[no-any-return]


def test_the_checker_reads_the_package_the_tests_run_against() -> None:
    """Installed from this checkout (editable or not), module for module, the same source."""
    import kronobarn_cli  # noqa: PLC0415 - which copy the tests run against

    installed = Path(kronobarn_cli.__file__).parent
    for module in sorted(arch.SRC.glob("*.py")):
        assert (installed / module.name).read_bytes() == module.read_bytes(), module.name


def test_cli_and_launch_do_not_import_each_other(imports: list[object]) -> None:
    """`launch` imports `cli` when it runs; `cli` takes EXIT_INTERRUPTED from `errors`."""
    assert not arch.same_circle(imports, "cli", "launch", arch.EVERY_KIND)


def test_remind_and_remind_query_do_not_import_each_other(imports: list[object]) -> None:
    """`remind` uses the query; reading `config.yaml` is the query's own (`read_settings`)."""
    assert not arch.same_circle(imports, "remind", "remind_query", arch.EVERY_KIND)


def test_no_module_imports_itself_back_through_others(imports: list[object]) -> None:
    """Issue 24's first figure, met since the two circles above were broken: none at all,
    counting imports in functions, `LazyModule` strings and `TYPE_CHECKING` blocks."""
    assert arch.circles(imports, arch.EVERY_KIND) == []


def test_every_module_has_a_layer_in_the_architecture_page() -> None:
    modules = arch.discover()
    assert arch.unmapped(modules, arch.read_layers()) == []


def test_the_checker_finds_a_circle_through_a_function_or_a_lazy_module(tmp_path: Path) -> None:
    """The guard above cannot pass by not looking: each way of importing closes a circle."""
    src = tmp_path / "kronobarn_cli"
    src.mkdir()
    (src / "__init__.py").write_text("")
    (src / "low.py").write_text("def f():\n    from kronobarn_cli import high\n")
    (src / "high.py").write_text("import kronobarn_cli.low\n")
    (src / "lazy_a.py").write_text(
        'from x import LazyModule\nb = LazyModule("kronobarn_cli.lazy_b")\n'
    )
    (src / "lazy_b.py").write_text("from kronobarn_cli.lazy_a import b\n")
    (src / "typed_a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from kronobarn_cli import typed_b\n"
    )
    (src / "typed_b.py").write_text("from kronobarn_cli.typed_a import TYPE_CHECKING\n")
    modules = arch.discover(src)
    found = arch.all_imports(modules)
    assert {(i.source, i.target, i.kind) for i in found} == {
        ("kronobarn_cli.low", "kronobarn_cli.high", "function"),
        ("kronobarn_cli.high", "kronobarn_cli.low", "top"),
        ("kronobarn_cli.lazy_a", "kronobarn_cli.lazy_b", "lazy"),
        ("kronobarn_cli.lazy_b", "kronobarn_cli.lazy_a", "top"),
        ("kronobarn_cli.typed_a", "kronobarn_cli.typed_b", "type-checking"),
        ("kronobarn_cli.typed_b", "kronobarn_cli.typed_a", "top"),
    }
    assert arch.circles(found, arch.TOP_LEVEL) == []
    assert arch.circles(found, arch.RUN_TIME) == [
        ["kronobarn_cli.high", "kronobarn_cli.low"],
        ["kronobarn_cli.lazy_a", "kronobarn_cli.lazy_b"],
    ]
    assert arch.same_circle(found, "typed_a", "typed_b", arch.EVERY_KIND)
    assert not arch.same_circle(found, "typed_a", "typed_b", arch.RUN_TIME)


def test_the_checker_finds_an_import_up_the_layers(tmp_path: Path) -> None:
    src = tmp_path / "kronobarn_cli"
    (src / "domain").mkdir(parents=True)
    (src / "domain" / "case.py").write_text("def f():\n    from kronobarn_cli import cli\n")
    (src / "cli.py").write_text("from kronobarn_cli.domain import case\n")
    doc = tmp_path / "architecture.md"
    doc.write_text(
        "<!-- layers:begin -->\n| # | Layer | Package |\n|-|-|-|\n"
        "| 0 | domain | `domain/` |\n| 1 | cli | `cli/` |\n<!-- layers:end -->\n"
        "<!-- modules:begin -->\n| Module | Layer | Target |\n|-|-|-|\n"
        "| `cli.py` | cli | `cli/app.py` |\n<!-- modules:end -->\n"
    )
    modules = arch.discover(src)
    layers = arch.read_layers(doc)
    assert arch.unmapped(modules, layers, src) == []
    found = arch.breaches(arch.all_imports(modules), modules, layers, src)
    assert [(b.source, b.target, b.kind) for b in found] == [
        ("kronobarn_cli.domain.case", "kronobarn_cli.cli", "function")
    ]


def test_the_names_moved_down_are_still_reached_where_they_were() -> None:
    """Nothing else needs changing: the old places give the same objects as the new ones."""
    from kronobarn_cli import cli, errors, launch  # noqa: PLC0415
    from kronobarn_cli.domain import query as remind_query  # noqa: PLC0415
    from kronobarn_cli.domain import reminders as remind  # noqa: PLC0415

    assert errors.EXIT_INTERRUPTED == 130
    assert cli.EXIT_INTERRUPTED is launch.EXIT_INTERRUPTED is errors.EXIT_INTERRUPTED
    assert remind.read_settings is remind_query.read_settings
    assert remind.load_settings is remind_query.load_settings
    assert remind.Settings is remind_query.Settings


def test_config_yaml_is_read_by_the_query_as_before(tmp_path: Path) -> None:
    from kronobarn_cli.domain import query as remind_query  # noqa: PLC0415
    from kronobarn_cli.errors import InputFileError  # noqa: PLC0415

    assert remind_query.load_settings(tmp_path) == remind_query.Settings()
    (tmp_path / "config.yaml").write_text("remind_within: 3w\nconsent_days: 30\n")
    assert remind_query.load_settings(tmp_path) == remind_query.Settings("3w", 30)
    (tmp_path / "config.yaml").write_text("consent_days: 14\nremind_within: snart\n")
    with pytest.raises(InputFileError) as error:
        remind_query.load_settings(tmp_path)
    assert error.value.line == 2 and error.value.detail.startswith("remind_within: ")
    (tmp_path / "config.yaml").write_text("consent_days: 400\n")
    with pytest.raises(InputFileError) as error:
        remind_query.load_settings(tmp_path)
    assert error.value.line == 1


# -- guard rails for the move: what a rename would otherwise make pass without looking -----------


def test_the_start_up_tests_name_modules_that_exist() -> None:
    """`test_cli`'s start-up tests assert these modules are *not* imported: a module moved or
    renamed under its old name would make them pass without testing anything."""
    from tests import startup  # noqa: PLC0415

    for name in (*startup.MODEL, *startup.RICH):
        assert importlib.util.find_spec(name) is not None, name


def test_the_suites_checklist_cache_is_the_loader_the_commands_call() -> None:
    """conftest swaps `checklist.load_workflow` for a cache: should the commands reach the
    loader by another name (a move, or `from … import load_workflow`), the cache would quietly
    stop working and the suite take a third longer."""
    from kronobarn_cli.checklists import loader as checklist  # noqa: PLC0415

    assert checklist.load_workflow.__name__ == "load_once"
    for name, path in arch.discover().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and name != "kronobarn_cli.checklists.loader":
                assert "load_workflow" not in {a.name for a in node.names}, name


def test_no_module_imports_from_a_higher_layer(imports: list[object]) -> None:
    """The layer order of docs/architecture.md holds for every import, of every kind."""
    modules = arch.discover()
    found = arch.breaches(imports, modules, arch.read_layers())
    assert [f"{b.source}:{b.line} → {b.target}" for b in found] == []


def _oversized(what: str) -> list[str]:
    found = arch.oversized(arch.discover())
    return [f"{o.name}: {o.lines} > {o.limit}" for o in found if o.what == what]


def test_no_module_is_over_400_lines() -> None:
    """A module a newcomer can read in one sitting (issue 24)."""
    assert _oversized("module") == []


def test_no_class_is_over_300_lines() -> None:
    """No god class: the prompter, the walk and the stores are built of collaborators."""
    assert _oversized("class") == []


def test_no_function_is_over_80_lines() -> None:
    """A function fits on a screen; the commands parse options and hand the work on."""
    assert _oversized("function") == []


def test_the_size_checks_find_a_long_module_class_and_function(tmp_path: Path) -> None:
    """The three checks above can fail: the checker counts what it is given."""
    src = tmp_path / "kronobarn_cli"
    src.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(90))
    filler = "\n".join(f"    def m{i}(self) -> None:\n        pass\n" for i in range(110))
    (src / "big.py").write_text(
        f"class Big:\n    def long(self) -> None:\n{body}\n\n{filler}\n" + "\n" * 120
    )
    found = {o.what for o in arch.oversized(arch.discover(src))}
    assert found == {"module", "class", "function"}
