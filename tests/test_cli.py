"""The `vpcdsl` command line: exit codes, the --json document, dump, determinism, bad input.

Each behaviour is pinned in-process (`vpcdsl.views.cli.main` with capsys) and, where
the process boundary matters (exit status, stderr, pipes), through
``python -m vpcdsl`` in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vpcdsl.views.cli import main

# A clean model that still draws warnings: a block in 172.17.0.0/16 (W303) and a
# flow expectation (W900 until flows are evaluated).
WARNINGS_ONLY = """\
vpc lab {
  cidr 172.17.0.0/16
  subnet lab-a 172.17.0.0/24 az a
  sg web { in tcp 443 from any }
  instance web-1 in lab-a sg web
}
expect internet -> web-1 tcp 443 blocked
"""

CLEAN = """\
vpc a {
  cidr 10.0.0.0/16
  subnet a-1 10.0.0.0/24 az a
}
expect valid
"""

# E202 (a duplicate name) is reported by the resolver itself.
WITH_ERRORS = """\
vpc a {
  cidr 10.0.0.0/16
  subnet s 10.0.0.0/24 az a
  subnet s 10.0.1.0/24 az b
}
"""

EXPECT_VALID_FAILS = WITH_ERRORS + "expect valid\n"

SYNTAX_ERROR = "vpc a {\n  cidr 10.0.0.0/16\n  subnet\n"

DIAGNOSTIC_KEYS = ["code", "severity", "message", "file", "line", "col", "end_line", "end_col", "hint",
                   "related"]
EXPECTATION_KEYS = ["line", "text", "status", "detail"]


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m vpcdsl ARGS`` in `cwd`; stdout and stderr as bytes."""
    return subprocess.run([sys.executable, "-m", "vpcdsl", *args], cwd=cwd, capture_output=True,
                          timeout=120)


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, *paths: str) -> tuple[int, dict]:
    code, out, err = call(capsys, "check", "--json", *paths)
    assert "Traceback" not in err
    return code, json.loads(out)


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A directory of sample models; the tests run from inside it (relative paths)."""
    write(tmp_path, "warn.vpc", WARNINGS_ONLY)
    write(tmp_path, "clean.vpc", CLEAN)
    write(tmp_path, "errors.vpc", WITH_ERRORS)
    write(tmp_path, "expect-valid.vpc", EXPECT_VALID_FAILS)
    write(tmp_path, "syntax.vpc", SYNTAX_ERROR)
    write(tmp_path, "latin1.vpc", "vpc caf\xe9 {\n  cidr 10.0.0.0/16\n}\n".encode("latin-1"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- exit codes

def test_clean_model_exits_0(files, capsys):
    code, out, err = call(capsys, "check", "clean.vpc")
    assert code == 0
    assert "clean.vpc: ok: 0 errors, 0 warnings" in out
    assert "clean.vpc:5: expect passed: expect valid" in out
    assert err == ""


def test_warnings_alone_exit_0(files, capsys):
    code, doc = check_json(capsys, "warn.vpc")
    assert code == 0
    severities = {d["severity"] for d in doc["models"][0]["diagnostics"]}
    assert severities == {"warning"}


def test_errors_exit_1(files, capsys):
    code, out, _ = call(capsys, "check", "errors.vpc")
    assert code == 1
    assert "errors.vpc:4:10: error[E202]: 's' is already defined as a subnet" in out
    assert "errors.vpc: FAILED: 1 error" in out


def test_syntax_error_exits_1(files, capsys):
    code, out, _ = call(capsys, "check", "syntax.vpc")
    assert code == 1
    assert "error[E0" in out


def test_failed_expect_valid_exits_1(files, capsys):
    code, doc = check_json(capsys, "expect-valid.vpc")
    assert code == 1
    model = doc["models"][0]
    assert model["expectations"] == [
        {"line": 6, "text": "expect valid", "status": "failed", "detail": "1 error"}]
    assert "E901" in [d["code"] for d in model["diagnostics"]]
    code, out, _ = call(capsys, "check", "expect-valid.vpc")
    assert "expect-valid.vpc:6: expect failed: expect valid" in out


def test_missing_file_exits_2(files, capsys):
    code, out, err = call(capsys, "check", "nowhere.vpc")
    assert code == 2
    assert "nowhere.vpc:1:1: error[E004]: cannot read 'nowhere.vpc'" in out
    code, doc = check_json(capsys, "nowhere.vpc")
    assert code == 2
    (diag,) = doc["models"][0]["diagnostics"]
    assert (diag["code"], diag["file"], diag["line"], diag["col"]) == ("E004", "nowhere.vpc", 1, 1)


def test_invalid_utf8_exits_2_and_points_at_the_byte(files, capsys):
    code, out, _ = call(capsys, "check", "latin1.vpc")
    assert code == 2
    assert "latin1.vpc:1:8: error[E004]: 'latin1.vpc' is not UTF-8 text (byte 0xe9)" in out
    assert "  1 | vpc caf" in out  # the line is shown, with a caret under the byte
    code, doc = check_json(capsys, "latin1.vpc")
    (diag,) = doc["models"][0]["diagnostics"]
    assert (diag["line"], diag["col"], diag["end_line"], diag["end_col"]) == (1, 8, 1, 9)


def test_unreadable_file_wins_over_errors(files, capsys):
    assert call(capsys, "check", "errors.vpc", "latin1.vpc")[0] == 2
    assert call(capsys, "check", "latin1.vpc", "errors.vpc")[0] == 2


def test_empty_directory_exits_2(files, capsys):
    (files / "empty").mkdir()
    code, doc = check_json(capsys, "empty")
    assert code == 2
    assert doc["models"][0]["diagnostics"][0]["message"] == "directory 'empty' holds no .vpc file"


@pytest.mark.parametrize("argv", [
    [], ["check"], ["frobnicate", "x.vpc"], ["check", "--bogus", "x.vpc"],
    ["check", "--color", "sometimes", "x.vpc"], ["dump"],
])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: vpcdsl" in err


def test_exit_codes_through_a_process(files):
    assert run("check", "clean.vpc", cwd=files).returncode == 0
    assert run("check", "warn.vpc", cwd=files).returncode == 0
    assert run("check", "errors.vpc", cwd=files).returncode == 1
    assert run("check", "expect-valid.vpc", cwd=files).returncode == 1
    assert run("check", "nowhere.vpc", cwd=files).returncode == 2
    assert run("check", "latin1.vpc", cwd=files).returncode == 2
    usage = run("check", cwd=files)
    assert usage.returncode == 2 and b"usage: vpcdsl check" in usage.stderr
    assert run("--frob", cwd=files).returncode == 2


# --------------------------------------------------------------------- JSON

def test_json_document_shape(files, capsys):
    code, doc = check_json(capsys, "expect-valid.vpc")
    assert list(doc) == ["version", "models"]
    assert doc["version"] == 1
    (model,) = doc["models"]
    assert list(model) == ["path", "diagnostics", "expectations"]
    assert model["path"] == "expect-valid.vpc"
    for d in model["diagnostics"]:
        assert list(d) == DIAGNOSTIC_KEYS
        assert d["severity"] in ("error", "warning")
        assert d["file"] == "expect-valid.vpc"
        assert all(isinstance(d[k], int) and d[k] >= 1 for k in ("line", "col", "end_line", "end_col"))
        assert d["hint"] is None or isinstance(d["hint"], str)
    e202 = next(d for d in model["diagnostics"] if d["code"] == "E202")
    # 1-based, end column exclusive: `s` is the 10th character of line 4.
    assert (e202["line"], e202["col"], e202["end_line"], e202["end_col"]) == (4, 10, 4, 11)
    for e in model["expectations"]:
        assert list(e) == EXPECTATION_KEYS


def test_json_every_position_is_1_based(files, capsys):
    for name in ("warn.vpc", "clean.vpc", "errors.vpc", "expect-valid.vpc", "syntax.vpc", "latin1.vpc",
                 "nowhere.vpc"):
        _, doc = check_json(capsys, name)
        for d in doc["models"][0]["diagnostics"]:
            assert d["line"] >= 1 and d["col"] >= 1, d
            assert (d["end_line"], d["end_col"]) >= (d["line"], d["col"]), d
        for e in doc["models"][0]["expectations"]:
            assert e["line"] >= 1


def test_json_expectations(files, capsys):
    _, doc = check_json(capsys, "clean.vpc")
    assert doc["models"][0]["expectations"] == [
        {"line": 5, "text": "expect valid", "status": "passed", "detail": None}]


def test_multiple_paths_are_separate_models(files, capsys):
    code, doc = check_json(capsys, "clean.vpc", "errors.vpc", "warn.vpc")
    assert code == 1  # the worst of 0, 1, 0
    assert [m["path"] for m in doc["models"]] == ["clean.vpc", "errors.vpc", "warn.vpc"]
    assert doc["models"][0]["diagnostics"] == []
    assert [d["code"] for d in doc["models"][1]["diagnostics"]] == ["E202"]
    code, out, _ = call(capsys, "check", "clean.vpc", "errors.vpc")
    assert "clean.vpc: ok: 0 errors, 0 warnings" in out and "errors.vpc: FAILED: 1 error" in out


def test_json_output_is_deterministic(files, capsys):
    first = call(capsys, "check", "--json", "warn.vpc", "errors.vpc", "latin1.vpc")
    second = call(capsys, "check", "--json", "warn.vpc", "errors.vpc", "latin1.vpc")
    assert first == second


# ---------------------------------------------------------------- directory

@pytest.fixture
def split_model(tmp_path):
    """One model in two files; b.vpc peers with the VPC a.vpc defines."""
    d = tmp_path / "net"
    write(d, "a.vpc", "vpc a {\n  cidr 10.0.0.0/16\n  subnet a-1 10.0.0.0/24 az a\n}\n")
    write(d, "b.vpc", "vpc b {\n  cidr 10.1.0.0/16\n  subnet b-1 10.1.0.0/24 az a\n}\npeer p a -> b\n")
    write(d, "notes.txt", "not a model")
    return d


def test_directory_is_one_model(split_model, capsys):
    code, doc = check_json(capsys, str(split_model))
    assert code == 0
    (model,) = doc["models"]
    assert model["path"] == str(split_model)
    assert [d for d in model["diagnostics"] if d["severity"] == "error"] == []


def test_a_file_alone_misses_the_other_files_names(split_model, capsys):
    code, doc = check_json(capsys, str(split_model / "b.vpc"))
    assert code == 1
    errors = [d for d in doc["models"][0]["diagnostics"] if d["severity"] == "error"]
    assert errors and all(d["file"] == str(split_model / "b.vpc") for d in errors)
    assert any("'a'" in d["message"] for d in errors)


def test_directory_diagnostics_name_their_file(split_model, capsys):
    write(split_model, "c.vpc", "vpc c {\n  cidr 10.2.0.0/16\n  subnet a-1 10.2.0.0/24 az a\n}\n")
    code, doc = check_json(capsys, str(split_model))
    assert code == 1
    (dup,) = [d for d in doc["models"][0]["diagnostics"] if d["code"] == "E202"]
    assert dup["file"] == str(split_model / "c.vpc") and dup["line"] == 3


def test_unreadable_file_in_a_directory_stops_the_semantic_checks(split_model, capsys):
    (split_model / "a.vpc").write_bytes(b"vpc a {\n  cidr 10.0.0.0/16\xff\n}\n")
    code, doc = check_json(capsys, str(split_model))
    assert code == 2
    # Only the unreadable file: checking the rest would call `a` unknown in b.vpc.
    assert [(d["code"], d["file"], d["line"]) for d in doc["models"][0]["diagnostics"]] == \
        [("E004", str(split_model / "a.vpc"), 2)]


# --------------------------------------------------------------------- dump

def test_dump_prints_the_resolved_model(files, capsys):
    code, out, err = call(capsys, "dump", "clean.vpc")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["path"] == "clean.vpc"
    (vpc,) = doc["vpcs"]
    assert vpc["name"] == "a" and vpc["region_name"] == "us-east-1"
    subnet = next(m for m in vpc["members"] if m["type"] == "Subnet")
    assert (subnet["name"], subnet["cidr"], subnet["zone"]) == ("a-1", "10.0.0.0/24", "us-east-1a")
    assert [m["name"] for m in vpc["members"] if m["type"] == "RouteTable"] == ["a.main"]


def test_dump_of_a_directory(split_model, capsys):
    code, out, _ = call(capsys, "dump", str(split_model))
    assert code == 0
    doc = json.loads(out)
    assert [v["name"] for v in doc["vpcs"]] == ["a", "b"]
    assert [(p["name"], p["requester"], p["accepter"]) for p in doc["peerings"]] == [("p", "a", "b")]


def test_dump_exit_codes(files, capsys):
    code, out, _ = call(capsys, "dump", "errors.vpc")
    assert code == 1 and json.loads(out)["vpcs"][0]["name"] == "a"
    code, out, err = call(capsys, "dump", "syntax.vpc")
    assert code == 1 and out == "" and "error[E0" in err
    code, out, err = call(capsys, "dump", "nowhere.vpc")
    assert code == 2 and out == "" and "error[E004]" in err
    code, out, err = call(capsys, "dump", "latin1.vpc")
    assert code == 2 and out == "" and "not UTF-8" in err


# -------------------------------------------------------------- determinism

def test_output_is_byte_identical_across_runs(files, examples_dir):
    example = str(examples_dir / "three-tier.vpc")
    for args in (["check", "warn.vpc", "errors.vpc", example], ["check", "--json", example, "warn.vpc"],
                 ["dump", example]):
        first, second = run(*args, cwd=files), run(*args, cwd=files)
        assert first.returncode == second.returncode
        assert first.stdout == second.stdout and first.stderr == second.stderr
        assert first.stdout


def test_color(files, capsys):
    _, out, _ = call(capsys, "check", "--color", "always", "errors.vpc")
    assert "\x1b[" in out
    _, out, _ = call(capsys, "check", "--color", "never", "errors.vpc")
    assert "\x1b[" not in out
    _, out, _ = call(capsys, "check", "errors.vpc")  # auto: captured output is no terminal
    assert "\x1b[" not in out


def test_quiet_prints_only_diagnostics(files, capsys):
    code, out, _ = call(capsys, "check", "-q", "errors.vpc")
    assert code == 1 and "error[E202]" in out and "FAILED" not in out
    code, out, _ = call(capsys, "check", "-q", "clean.vpc")
    assert code == 0 and out == ""


# ----------------------------------------------------------------- bad input

BAD_INPUTS: dict[str, str | bytes] = {
    "empty.vpc": "",
    "blank.vpc": "\n\n   \n# only a comment\n",
    "garbage.vpc": "}{ -> ;; @@ ::: \"unterminated\n",
    "unclosed.vpc": "vpc a {\n  cidr 10.0.0.0/16\n  subnet s 10.0.0.0/24 az a\n",
    "nul.vpc": b"vpc a {\x00\n}\n",
    "bom.vpc": b"\xef\xbb\xbfvpc a {\r\n  cidr 10.0.0.0/16\r\n}\r\n",
    "utf16.vpc": "vpc a {\n}\n".encode("utf-16"),
    "random.vpc": bytes(range(256)) * 4,
    "unicode.vpc": "vpc caf\u00e9 {\n  cidr 10.0.0.0/16\n}\nvpc \u0440\u0443\u0441 { }\n",
    "huge-numbers.vpc": "vpc a {\n  cidr 999.0.0.0/99\n  subnet s 10.0.0.0/24 az a\n"
                        "  nacl n for s { in 99999999999999999999 allow tcp 99999999 from any }\n}\n",
    "deep.vpc": "vpc a {\n" + "  sg x {\n" * 50 + "}\n" * 51,
    "long-line.vpc": "vpc a {\n  cidr 10.0.0.0/16\n  " + "subnet " * 5000 + "\n}\n",
    "unknowns.vpc": "vpc a {\n  cidr 10.0.0.0/16\n  instance i in nowhere sg nope\n"
                    "  route-table r for ghost { 0.0.0.0/0 -> ghost }\n}\npeer p a -> nobody\n"
                    "expect ghost -> nobody tcp 80 allowed by nothing\n",
}


@pytest.fixture
def bad_files(tmp_path, monkeypatch):
    for name, text in BAD_INPUTS.items():
        write(tmp_path, name, text)
    (tmp_path / "dir.vpc").mkdir()  # a directory named like a model is not one
    (tmp_path / "no-models").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", sorted(BAD_INPUTS) + ["no-models", "missing.vpc", "x" * 5000])
def test_bad_input_never_crashes(bad_files, capsys, name):
    for args in (["check", name], ["check", "--json", name], ["dump", name]):
        code, out, err = call(capsys, *args)
        assert code in (0, 1, 2), (args, code)
        assert "Traceback" not in err
        if "--json" in args:
            doc = json.loads(out)
            for d in doc["models"][0]["diagnostics"]:
                assert list(d) == DIAGNOSTIC_KEYS and d["line"] >= 1 and d["col"] >= 1


def test_bad_inputs_through_a_process(bad_files):
    names = sorted(BAD_INPUTS) + ["no-models", "missing.vpc", "dir.vpc", "x" * 5000]
    for args in (["check", *names], ["check", "--json", *names], ["dump", *names], ["check", "."]):
        result = run(*args, cwd=bad_files)
        assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
        assert result.returncode == 2, args
        if "--json" in args:
            assert len(json.loads(result.stdout)["models"]) == len(names)


def test_closed_pipe_is_quiet(tmp_path):
    big = "\n".join(f"vpc v{i} {{\n  cidr 10.{i}.0.0/16\n  subnet s{i} 10.{i}.0.0/24 az a\n}}"
                    for i in range(200))
    write(tmp_path, "big.vpc", big + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "vpcdsl", "dump", "big.vpc"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()  # the reader goes away, like `| head`
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) in (0, 1)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode(errors="replace")


def test_dump_takes_one_model(files, capsys):
    """`check` treats each PATH as a model; `dump` prints exactly one model."""
    with pytest.raises(SystemExit) as exc:
        main(["dump", "clean.vpc", "clean.vpc"])
    assert exc.value.code == 2
