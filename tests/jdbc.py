"""The PostgreSQL JDBC driver and a Java compiler, for tests that drive the gateway from Java.

The driver is Debian's ``libpostgresql-jdbc-java`` (``/usr/share/java/postgresql.jar``);
when it is missing it is installed with apt-get, as bench/gateway.py installs pgbouncer:
the project's own files install what its tests need. A program is compiled once into a
folder and run with ``java -cp folder:driver.jar``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PACKAGE = "libpostgresql-jdbc-java"
DRIVER_JAR = Path("/usr/share/java/postgresql.jar")
#: Wait for another apt/dpkg run to release its lock instead of failing at once.
_APT = ["apt-get", "-o", "DPkg::Lock::Timeout=300"]


def driver_jar() -> tuple[Path | None, str]:
    """(the driver's jar, how it was had) or (None, why it cannot be had)."""
    if DRIVER_JAR.exists():
        return DRIVER_JAR, "already installed"
    if shutil.which("apt-get") is None:
        return None, f"{DRIVER_JAR} is missing and there is no apt-get to install {PACKAGE}"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = [*_APT, "install", "-y", "--no-install-recommends", PACKAGE]
    done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:  # the package lists may be stale or absent on a fresh machine
        subprocess.run([*_APT, "update"], capture_output=True, env=env, check=False)
        done = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    if not DRIVER_JAR.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
        return None, f"apt-get install {PACKAGE} failed: {' '.join(tail) or done.returncode}"
    return DRIVER_JAR, f"installed {PACKAGE} with apt-get"


def java_tools() -> tuple[tuple[str, str] | None, str]:
    """((javac, java), '') or (None, why not)."""
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        return None, "no javac/java on PATH (install a JDK, e.g. openjdk-17-jdk-headless)"
    return (javac, java), ""


def compile_program(javac: str, source: Path, jar: Path, into: Path) -> None:
    """Compile one .java file against the driver into the folder ``into``."""
    done = subprocess.run(
        [javac, "-cp", str(jar), "-d", str(into), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"javac {source.name} failed:\n{done.stdout}{done.stderr}")


def run_program(
    java: str, main_class: str, classes: Path, jar: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run a compiled program's main class with the driver on the class path."""
    return subprocess.run(
        [java, "-cp", f"{classes}{os.pathsep}{jar}", main_class, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
