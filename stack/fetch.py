"""Download/build the stack's binaries into the stack dir: Kafka jars (Maven) and FerretDB (Go).

Both steps are idempotent: they skip when a complete result is already present, and write to a
temporary location first so an interrupted fetch never looks complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stack.errors import StackError
from stack.layout import KAFKA_VERSION, Layout
from stack.tools import require_go, require_tool

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
# Stamped into the binary's `package` field so a binary built without our patches is rebuilt.
FERRETDB_PACKAGE = "microcred-4"


@dataclass(frozen=True)
class SourcePatch:
    """One exact replacement in FerretDB's source; the build fails if the text is not found."""

    path: str
    old: str
    new: str


# The WHERE clause that narrows a query by the `_id` index, for a filter with one `_id`
# condition (beside any others): `_id: id` or `_id: {$in: [ids]}`, every id a string or an
# ObjectId (the types whose JSON text the index holds). Called from the patched Query below.
IDS_WHERE_GO = """// idsWhere returns the WHERE clause and arguments narrowing a query of filter by
// the `_id` index, if it has one `_id` condition on strings or ObjectIDs (microcred).
func idsWhere(filter *types.Document) (string, []any, bool) {
\tcount := 0
\tfor _, key := range filter.Keys() {
\t\tif key == "_id" {
\t\t\tcount++
\t\t}
\t}
\tif count != 1 {
\t\treturn "", nil, false
\t}
\tids := []any{must.NotFail(filter.Get("_id"))}
\tif condition, ok := ids[0].(*types.Document); ok {
\t\tif condition.Len() != 1 || !condition.Has("$in") {
\t\t\treturn "", nil, false
\t\t}
\t\tlist, ok := must.NotFail(condition.Get("$in")).(*types.Array)
\t\tif !ok || list.Len() == 0 || list.Len() > 10000 {
\t\t\treturn "", nil, false
\t\t}
\t\tids = make([]any, list.Len())
\t\tfor i := range ids {
\t\t\tids[i] = must.NotFail(list.Get(i))
\t\t}
\t}
\tplaceholders := make([]string, len(ids))
\targs := make([]any, len(ids))
\tfor i, id := range ids {
\t\tswitch id.(type) {
\t\tcase string, types.ObjectID:
\t\t\tplaceholders[i] = "?"
\t\t\targs[i] = string(must.NotFail(sjson.MarshalSingleValue(id)))
\t\tdefault:
\t\t\treturn "", nil, false
\t\t}
\t}
\twhere := fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, strings.Join(placeholders, ", "))
\treturn where, args, true
}

"""

# FerretDB 1.24's SQLite backend creates the unique `_id` index on `_ferretdb_sjson->"_id"` but
# filters on `_ferretdb_sjson->'$._id'`. SQLite matches an expression index only on the same
# expression, so every lookup, update and delete by `_id` scanned the table: at 20,000
# documents a find by `_id` took up to 160 ms and every update about as long. With one
# expression for both the index is used (EXPLAIN QUERY PLAN: SEARCH ... USING INDEX).
FERRETDB_PATCHES = (
    SourcePatch(
        path="internal/backends/sqlite/metadata/metadata.go",
        old='''IDColumn = DefaultColumn + "->'$._id'"''',
        new="""IDColumn = DefaultColumn + `->"_id"`""",
    ),
    # An update command closes each statement's read iterator only when the whole command
    # returns (a `defer` inside its loop), and every open iterator holds one of the database's
    # 100 pooled SQLite connections: an update command of 100 statements or more (or several
    # commands at once adding up to that) waited forever for a connection to write with, and
    # the database answered nothing else meanwhile (measured here: 99 statements answered in
    # 0.2 s, 100 never). Each statement's iterator is now closed as soon as it is applied.
    SourcePatch(
        path="internal/handler/msg_update.go",
        old="\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n",
        new="\t\tcloser := iterator.NewMultiCloser()\n",
    ),
    SourcePatch(
        path="internal/handler/msg_update.go",
        old='\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
        new='\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n'
        "\t\tcloser.Close()\n",
    ),
    # A query, update or delete read the whole table unless its filter was exactly `_id: id`:
    # `_id: {$in: [...]}` (how MongoDB code reads or deletes many documents by id) and `_id`
    # beside another condition (a version guard, an owner) did not use the index. Reading 200
    # credentials took 200 `find_one`s, each a round trip through FerretDB's whole handler;
    # deleting 200 locks, 200 statements. Now any filter with one `_id` condition on strings
    # or ObjectIds is narrowed by the index first (`WHERE _id IN (...)`). FerretDB applies the
    # whole filter to what the query returns, as before, so a result can only be what it was.
    SourcePatch(
        path="internal/backends/sqlite/collection.go",
        old="\t// TODO https://github.com/FerretDB/FerretDB/issues/3235\n"
        "\tif params.Filter.Len() == 1 {\n"
        '\t\tv, _ := params.Filter.Get("_id")\n'
        "\t\tswitch v.(type) {\n"
        "\t\tcase string, types.ObjectID:\n"
        "\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n"
        "\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n"
        "\t\t}\n\t}\n\n\tq += whereClause\n",
        new="\tif where, idArgs, ok := idsWhere(params.Filter); ok {\n"
        "\t\twhereClause, args = where, idArgs\n"
        "\t}\n\n\tq += whereClause\n",
    ),
    # The same for `explain`, so that it reports the plan queries now run with.
    SourcePatch(
        path="internal/backends/sqlite/collection.go",
        old="\tif params.Filter.Len() == 1 {\n"
        '\t\tv, _ := params.Filter.Get("_id")\n'
        "\t\tswitch v.(type) {\n"
        "\t\tcase string, types.ObjectID:\n"
        "\t\t\tfilterPushdown = true\n"
        "\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n"
        "\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n"
        "\t\t}\n\t}\n",
        new="\tif where, idArgs, ok := idsWhere(params.Filter); ok {\n"
        "\t\tfilterPushdown = true\n"
        "\t\twhereClause, args = where, idArgs\n"
        "\t}\n",
    ),
    SourcePatch(
        path="internal/backends/sqlite/collection.go",
        old="// InsertAll implements backends.Collection interface.\n",
        new=IDS_WHERE_GO + "// InsertAll implements backends.Collection interface.\n",
    ),
)
POM = Path(__file__).with_name("pom.xml")

Report = Callable[[str], None]


def _run(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a build command; on failure raise StackError carrying the tail of its output."""
    proc = subprocess.run(  # noqa: S603 - argv built by us, no shell
        argv, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        raise StackError(f"{' '.join(argv[:3])} ... failed:\n" + "\n".join(output))
    return proc.stdout


def kafka_present(layout: Layout) -> bool:
    return layout.kafka_stamp.is_file()


def fetch_kafka(layout: Layout, report: Report = print) -> bool:
    """Copy Kafka and its runtime jars into ``layout.kafka_libs``; False if already there."""
    if kafka_present(layout):
        return False
    require_tool("java")  # mvn needs it, and a clear message beats Maven's
    mvn = require_tool("mvn")
    report(f"fetching Kafka {KAFKA_VERSION} jars with Maven into {layout.kafka_libs} ...")
    staging = layout.kafka_libs.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    # -B: no ANSI colours in captured output; -q: only errors.
    _run(
        [
            mvn,
            "-B",
            "-q",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
        ]
    )
    shutil.rmtree(layout.kafka_libs, ignore_errors=True)
    staging.rename(layout.kafka_libs)
    layout.kafka_stamp.write_text(KAFKA_VERSION + "\n")
    return True


def ferretdb_present(layout: Layout) -> bool:
    """True if the built binary exists and reports the expected version (it runs in ~50 ms)."""
    if not os.access(layout.ferretdb_bin, os.X_OK):
        return False
    proc = subprocess.run(  # noqa: S603 - our own binary
        [str(layout.ferretdb_bin), "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return (
        proc.returncode == 0
        and f"version: {FERRETDB_VERSION}" in proc.stdout
        and f"package: {FERRETDB_PACKAGE}" in proc.stdout
    )


def fetch_ferretdb(layout: Layout, report: Report = print) -> bool:
    """Build FerretDB from its Go module into ``layout.ferretdb_bin``; False if already there.

    ``go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`` builds, but the binary
    panics at startup: the module zip lacks the generated ``build/version/version.txt``, which
    FerretDB requires when its own module is the main module. So: download the module source
    through the Go module proxy, add that file, apply ``FERRETDB_PATCHES``, and ``go build`` it.
    """
    if ferretdb_present(layout):
        return False
    go = require_go()
    report(f"building FerretDB {FERRETDB_VERSION} with Go into {layout.ferretdb_bin} ...")
    env = {**os.environ, "GOWORK": "off", "GOFLAGS": "-mod=readonly"}
    info = json.loads(
        _run([go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"], env=env)
    )
    src = layout.build_dir / f"ferretdb-{FERRETDB_VERSION}"
    _copy_writable(Path(info["Dir"]), src)
    (src / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    (src / "build" / "version" / "package.txt").write_text(FERRETDB_PACKAGE + "\n")
    for patch in FERRETDB_PATCHES:
        apply_patch(src, patch)
    layout.bin_dir.mkdir(parents=True, exist_ok=True)
    partial = layout.ferretdb_bin.with_name("ferretdb.partial")
    # -buildvcs=false: the source sits inside this repo's git tree; its commit is not FerretDB's.
    _run(
        [go, "build", "-trimpath", "-buildvcs=false", "-o", str(partial), "./cmd/ferretdb"],
        cwd=src,
        env=env,
    )
    partial.replace(layout.ferretdb_bin)
    shutil.rmtree(src, ignore_errors=True)
    with contextlib.suppress(OSError):
        layout.build_dir.rmdir()  # only if empty
    return True


def apply_patch(source_root: Path, patch: SourcePatch) -> None:
    target = source_root / patch.path
    text = target.read_text()
    if text.count(patch.old) != 1:
        raise StackError(
            f"cannot patch FerretDB {FERRETDB_VERSION}: {patch.path} does not contain "
            f"{patch.old!r} exactly once"
        )
    target.write_text(text.replace(patch.old, patch.new))


def _copy_writable(source: Path, dest: Path) -> None:
    """Copy a read-only Go module cache directory and make the copy writable."""
    _remove_tree(dest)
    shutil.copytree(source, dest)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _remove_tree(path: Path) -> None:
    if path.exists():
        for sub in [path, *path.rglob("*")]:
            sub.chmod(sub.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(path)


def fetch_all(
    layout: Layout, *, kafka: bool = True, ferretdb: bool = True, report: Report = print
) -> None:
    """Fetch what is missing and report how long each step took."""
    layout.root.mkdir(parents=True, exist_ok=True)
    for wanted, name, step in (
        (kafka, "Kafka", fetch_kafka),
        (ferretdb, "FerretDB", fetch_ferretdb),
    ):
        if not wanted:
            continue
        started = time.monotonic()
        if step(layout, report):
            report(f"{name} ready in {time.monotonic() - started:.1f}s")
        else:
            report(f"{name} already present")
