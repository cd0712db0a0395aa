"""The layout's rules, read from the source (every import statement, TYPE_CHECKING ones too):

* the domain (`bot/domain`) never imports discord, nor the cogs or the stand-in, not even
  through the `bot` modules it uses (followed transitively);
* the stand-in imports nothing from the bot, its cogs or the tests;
* a cog imports no other feature's cog package, only its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tests.paths import REPOSITORY


def module_name(path: Path, root: Path = REPOSITORY) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_path(name: str, root: Path = REPOSITORY) -> Path | None:
    """The file of one of our modules (None for a module that is not ours, or no module at all)."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def imports_of(path: Path, root: Path = REPOSITORY) -> frozenset[str]:
    """Every module `path` imports, by full name; ``from package import name`` counts as
    ``package.name`` when that is a module of ours, else as ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package (1), or one further up per dot
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if module_path(submodule, root) is not None else base)
    return frozenset(found)


def chains_to(start: Path, forbidden: tuple[str, ...], root: Path = REPOSITORY) -> Iterator[list[str]]:
    """Import chains from `start` to a forbidden module, following our own `bot` modules."""
    seen: set[str] = set()
    stack: list[tuple[Path, list[str]]] = [(start, [module_name(start, root)])]
    while stack:
        path, chain = stack.pop()
        for imported in sorted(imports_of(path, root)):
            top = imported.split(".")[0]
            if top in forbidden or imported in forbidden:
                yield [*chain, imported]
            elif top == "bot" and imported not in seen:
                seen.add(imported)
                target = module_path(imported, root)
                if target is not None:
                    stack.append((target, [*chain, imported]))


def sources(folder: str, root: Path = REPOSITORY) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def test_the_domain_never_imports_discord_even_through_the_core() -> None:
    domain = sources("bot/domain")
    assert len(domain) > 30
    problems = [" → ".join(chain) for path in domain for chain in chains_to(path, ("discord", "cogs", "standin"))]
    assert problems == [], "\n".join(problems)


def test_the_stand_in_imports_nothing_of_the_bot() -> None:
    standin = sources("standin")
    assert len(standin) > 10
    problems = [
        f"{module_name(path)} imports {imported}"
        for path in standin for imported in sorted(imports_of(path))
        if imported.split(".")[0] in ("bot", "cogs", "tests")
    ]
    assert problems == [], "\n".join(problems)


def test_a_cog_imports_only_its_own_package_of_the_cogs() -> None:
    cogs = sources("cogs")
    assert len(cogs) > 20
    problems = []
    for path in cogs:
        name = module_name(path).split(".")
        own = name[:2] if len(name) > 1 else name
        for imported in sorted(imports_of(path)):
            parts = imported.split(".")
            if parts[0] == "cogs" and parts[: len(own)] != own and imported != "cogs":
                problems.append(f"{'.'.join(name)} imports {imported}")
    assert problems == [], "\n".join(problems)


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """The three rules see a forbidden import when there is one (direct, relative, transitive)."""
    (tmp_path / "bot" / "domain").mkdir(parents=True)
    (tmp_path / "cogs" / "a").mkdir(parents=True)
    (tmp_path / "cogs" / "b").mkdir(parents=True)
    for package in ("bot", "bot/domain", "cogs", "cogs/a", "cogs/b"):
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "bot" / "embeds.py").write_text("import discord.ui\n")
    (tmp_path / "bot" / "domain" / "money.py").write_text("from bot import embeds\n")
    (tmp_path / "cogs" / "a" / "cog.py").write_text("from ..b import render\nfrom . import view\n")
    (tmp_path / "cogs" / "a" / "view.py").write_text("")
    (tmp_path / "cogs" / "b" / "render.py").write_text("")

    chains = list(chains_to(tmp_path / "bot" / "domain" / "money.py", ("discord",), tmp_path))
    assert chains == [["bot.domain.money", "bot.embeds", "discord.ui"]]
    assert imports_of(tmp_path / "cogs" / "a" / "cog.py", tmp_path) == {"cogs.b.render", "cogs.a.view"}
    assert module_path("discord", tmp_path) is None
