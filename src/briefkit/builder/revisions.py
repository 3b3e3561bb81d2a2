"""Git revisions: a brief's path and a revision the user typed in, the brief's text at that
revision out, read from the project's own repository only.

A project is untrusted like a brief, and so is what it holds in `.git`: the repository must be
the project's own `.git` folder (not a `.git` file naming a gitdir elsewhere, a symlink, a
worktree of a repository outside, or borrowed objects), found nowhere else (a repository above
the project is not the project's). The revision is data: it is resolved to a commit with
`git rev-parse --verify --end-of-options` and the blob read with `git cat-file`, so no text a
user types (`--output=FILE`) reaches git as an option, and no textconv filter or pager runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from briefkit.core.paths import find_project_root
from briefkit.core.run import EngineBudget, run_engine

GIT_TIMEOUT = 60


class RevisionUnavailable(ValueError):
    """The brief cannot be read at that revision; the message says why. `new_since` is true
    when the repository and revision are fine but the brief did not exist then."""

    def __init__(self, message: str, new_since: bool = False):
        super().__init__(message)
        self.new_since = new_since


def _unavailable(
    revision: str,
    reason: str,
    new_since: bool = False,
    remedy: str = "name a commit, branch or tag in which the brief exists (e.g. HEAD~1)",
) -> RevisionUnavailable:
    return RevisionUnavailable(
        f"is not readable at revision '{revision}' ({reason}); {remedy}", new_since
    )


def repository_of(brief: Path, revision: str) -> tuple[Path, Path]:
    """(the project's root, its `.git` folder) for `brief`, or `RevisionUnavailable` saying
    why the project has no repository of its own."""
    project = find_project_root(brief).resolve()
    git_dir = project / ".git"
    if git_dir.is_symlink() or git_dir.is_file():
        raise _unavailable(
            revision,
            f"{git_dir} links to a repository outside the project: a worktree, a "
            "submodule or a symbolic link",
            remedy="briefkit reads revisions only from the "
            "project's own repository: run it in the main checkout, or compare two files with "
            "`briefkit redline OLD NEW`",
        )
    if not git_dir.is_dir():
        raise _unavailable(
            revision,
            f"no git repository in the project: {project} has no .git folder",
            remedy="commit the brief in a repository whose root is the project, or compare "
            "two files with `briefkit redline OLD NEW`",
        )
    linked = [
        p
        for p in (git_dir / "objects", git_dir / "refs", git_dir / "packed-refs")
        if p.exists() and project not in p.resolve().parents
    ]
    if linked:
        raise _unavailable(
            revision,
            f"{linked[0]} links out of the project",
            remedy="briefkit reads revisions only from the project's own repository",
        )
    borrowed = [git_dir / "commondir", git_dir / "objects" / "info" / "alternates"]
    if any(path.is_file() and path.stat().st_size for path in borrowed):
        raise _unavailable(
            revision,
            f"{git_dir} borrows objects from another repository (commondir or "
            "objects/info/alternates)",
            remedy="make it self-contained (`git repack -a -d`, "
            "then remove objects/info/alternates) or compare two files",
        )
    return project, git_dir


def _git(git_dir: Path, project: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    environment.update(
        GIT_DIR=str(git_dir),
        GIT_WORK_TREE=str(project),
        GIT_CEILING_DIRECTORIES=str(project.parent),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
    )
    command = ["git", "-c", "core.fsmonitor=false", "-c", "core.pager=cat", *args]
    try:
        return run_engine(command, cwd=project, env=environment, what="git", seconds=GIT_TIMEOUT)
    except (OSError, EngineBudget) as exc:
        raise RevisionUnavailable(
            f"git could not be run ({exc}); install git or compare two "
            "files with `briefkit redline OLD NEW`"
        ) from None


def _last_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "git failed"


def brief_at_revision(brief: Path, revision: str) -> bytes:
    """The brief's text at `revision`, read from the project's own repository."""
    if not revision.strip():
        raise RevisionUnavailable(
            "the revision is empty; name a commit, branch or tag (e.g. HEAD~1)"
        )
    project, git_dir = repository_of(brief, revision)
    real = Path(brief).resolve()
    try:
        relative = real.relative_to(project).as_posix()
    except ValueError:
        raise RevisionUnavailable(
            f"the brief ({real}) is outside the project ({project}), so "
            "no revision of the project holds it"
        ) from None
    found = _git(
        git_dir,
        project,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{revision}^{{commit}}",
    )
    commit = found.stdout.decode(errors="replace").strip()
    if found.returncode != 0 or not commit:
        raise _unavailable(revision, "no such commit, branch or tag in the project's repository")
    blob = _git(git_dir, project, "cat-file", "blob", f"{commit}:{relative}")
    if blob.returncode != 0:
        absent = _git(git_dir, project, "cat-file", "-e", f"{commit}:{relative}").returncode
        raise _unavailable(
            revision,
            f"{relative} does not exist in '{revision}'" if absent else _last_line(blob),
            new_since=bool(absent),
        )
    return blob.stdout
