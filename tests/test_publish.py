"""Publishing: `mkdocs gh-deploy`, the GitHub Actions workflow and Read the Docs.

What a teacher relies on:
  - `mkdocs gh-deploy` run in a copy of the project puts the student site, the student handouts and .nojekyll
    on the gh-pages branch of its remote (here a local bare repository, so nothing leaves the machine), and
    nothing for teachers: no teacher's guide, no teacher edition;
  - the workflow builds strictly, runs the tests and deploys to GitHub Pages on a push to main, with
    least-privilege permissions and every action pinned to a full commit SHA, and builds for the address
    GitHub Pages reports;
  - Read the Docs builds strictly with the system libraries WeasyPrint needs, and its post-build step
    leaves exactly one PDF (the student handout) where Read the Docs looks for the PDF download.
"""

import os
import re
import shutil
import subprocess

import yaml

from conftest import ENV, MKDOCS, ROOT

HANDOUTS = [
    f"handouts/stalin-mao-1952-{edition}-{paper}.pdf" for edition in ("packet", "student") for paper in ("a4", "letter")
]
GIT_ENV = {
    **ENV,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args, cwd):
    return subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True, timeout=120
    ).stdout


def test_gh_deploy_puts_the_site_the_handouts_and_nojekyll_on_gh_pages(tmp_path):
    # A copy of the project as it is now (tracked and new files, not what .gitignore leaves out).
    project, remote = tmp_path / "project", tmp_path / "remote.git"
    files = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT).split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, project / name)
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "The module", cwd=project)
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    git("remote", "add", "origin", str(remote), cwd=project)

    result = subprocess.run(
        [*MKDOCS, "gh-deploy", "--strict", "--remote-name", "origin"],
        cwd=project,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"gh-deploy failed:\n{result.stdout}\n{result.stderr}"

    published = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split("\n"))
    for name in [
        "index.html",
        "telegram.html",
        "404.html",
        "sitemap.xml",
        ".nojekyll",
        "search/search_index.js",
        "assets/javascripts/iframe-worker-shim.js",
        *HANDOUTS,
    ]:
        assert name in published, f"{name} is not on gh-pages"
    assert [name for name in published if "teacher" in name] == [], "the answer key stays with the teacher"


# ---- GitHub Actions ---------------------------------------------------------------------------------------


def load_workflow():
    return yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))


def steps(job):
    return load_workflow()["jobs"][job]["steps"]


def test_the_workflow_runs_on_a_push_to_main():
    workflow = load_workflow()
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on:` as true
    assert triggers["push"]["branches"] == ["main"]


def test_the_workflow_has_least_privilege_permissions():
    workflow = load_workflow()
    assert workflow["permissions"] == {}, "no permission by default; each job asks for its own"
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_every_action_is_pinned_to_a_full_commit_sha():
    uses = [step["uses"] for job in load_workflow()["jobs"].values() for step in job["steps"] if "uses" in step]
    assert {use.split("@")[0] for use in uses} == {
        "actions/checkout",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    for use in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use), f"{use} is not pinned to a commit SHA"
    text = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    assert len(re.findall(r"uses: \S+@[0-9a-f]{40} # v\d", text)) == len(uses), "each pin names its tag"


def test_the_workflow_tests_then_builds_strictly_for_the_pages_address_and_deploys():
    build = steps("build")
    runs = [step.get("run", "") for step in build]
    assert "bash .ci/run" in runs, "the build job runs the project's CI (system packages, then ./scripts/test)"
    checkout = next(step for step in build if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    pages = next(step for step in build if step.get("uses", "").startswith("actions/configure-pages@"))
    site = next(step for step in build if step.get("run") == "./scripts/build")
    assert site["env"]["SITE_URL"] == "${{ steps.%s.outputs.base_url }}/" % pages["id"]
    assert "--strict" in (ROOT / "scripts" / "build").read_text(encoding="utf-8")
    assert runs.index("bash .ci/run") < build.index(site), "tests run before the site is built for upload"
    upload = next(step for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert [step["uses"].split("@")[0] for step in steps("deploy")] == ["actions/deploy-pages"]


# ---- Read the Docs -----------------------------------------------------------------------------------------


def load_readthedocs():
    return yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))


def test_read_the_docs_builds_the_site_strictly_with_what_weasyprint_needs():
    config = load_readthedocs()
    assert config["version"] == 2
    assert config["mkdocs"] == {"configuration": "mkdocs.yml", "fail_on_warning": True}
    assert config["python"]["install"] == [{"requirements": "requirements.txt"}]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for package in config["build"]["apt_packages"]:
        assert package in ci, f"{package} is not what CI installs"
    assert {"libpango-1.0-0", "libpangoft2-1.0-0"} <= set(config["build"]["apt_packages"])


def test_read_the_docs_post_build_leaves_one_pdf_download(built_site, tmp_path):
    """Run the post_build commands as Read the Docs does, after the build wrote the site to
    $READTHEDOCS_OUTPUT/html: Read the Docs accepts exactly one file in pdf/."""
    output = tmp_path / "_readthedocs"
    shutil.copytree(built_site, output / "html")
    for command in load_readthedocs()["build"]["jobs"]["post_build"]:
        subprocess.run(["bash", "-c", command], env={**ENV, "READTHEDOCS_OUTPUT": str(output)}, check=True, timeout=60)
    assert [path.name for path in (output / "pdf").iterdir()] == ["stalin-mao-1952-student-a4.pdf"]
    assert all((output / "html" / name).is_file() for name in HANDOUTS), "the site keeps its student handouts"
