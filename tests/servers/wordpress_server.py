"""A real WordPress on loopback for the live tests: Debian's packages, a private MariaDB and `php -S`."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO / "scripts" / "install-test-servers"
PACKAGES = ("wordpress", "mariadb-server", "php-cli", "php-mysql")
WORDPRESS_ROOT = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
MARIADBD = Path("/usr/sbin/mariadbd")
HOST = "127.0.0.1"
ADMIN = "admin"
START_TIMEOUT = 30.0


class ServersUnavailable(RuntimeError):
    """The packages a real WordPress needs are missing and could not be installed."""


@dataclass(frozen=True)
class WordPressSite:
    """A running test site, the credentials to reach it, and read-back helpers."""

    base_url: str
    username: str
    admin_password: str
    app_password: str
    content_dir: Path
    config_name: str
    startup_seconds: float

    def get(self, route: str, **params: object) -> httpx.Response:
        """An authenticated GET of a `wp/v2` route through `?rest_route=` (works with any permalinks)."""
        response = httpx.get(
            f"{self.base_url}/", params={"rest_route": f"/wp/v2/{route}", **params},
            auth=(self.username, self.app_password), timeout=30.0,
        )  # fmt: skip
        response.raise_for_status()
        return response

    def total(self, route: str, **params: object) -> int:
        """How many items a collection holds (its `X-WP-Total`)."""
        return int(self.get(route, per_page=1, **params).headers["X-WP-Total"])

    def php(self, code: str) -> str:
        """Run PHP with WordPress loaded (as this site) and return what it printed."""
        return run_php(self.config_name, self.base_url, code)

    def set_permalinks(self, structure: str) -> None:
        """Switch pretty permalinks on (`/%postname%/`) or off (`""`)."""
        self.php(f"global $wp_rewrite; $wp_rewrite->set_permalink_structure('{structure}'); flush_rewrite_rules();")


def missing_packages() -> list[str]:
    """The Debian packages that are not installed."""
    missing = []
    for package in PACKAGES:
        status = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in status.stdout:
            missing.append(package)
    return missing


def ensure_installed() -> None:
    """Install the packages through scripts/install-test-servers when missing; raise ServersUnavailable."""
    if shutil.which("dpkg-query") is None:
        raise ServersUnavailable("a real WordPress needs Debian's packages, and this is not a Debian system")
    if os.geteuid() != 0:
        raise ServersUnavailable(f"the live WordPress tests write {CONFIG_DIR}: run them as root")
    if not missing_packages():
        return
    result = subprocess.run([str(INSTALL_SCRIPT)], capture_output=True, text=True, check=False)
    if result.returncode != 0 or missing_packages():
        raise ServersUnavailable(
            f"{' '.join(PACKAGES)} are needed for the live WordPress tests and could not be installed "
            f"(run scripts/install-test-servers as root): {result.stderr.strip()[-500:]}"
        )


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str, log: Path) -> None:
    """Wait until something accepts connections on the port, or fail with the server's log."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: {_tail(log)}")
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on {HOST}:{port} within {START_TIMEOUT:.0f} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


@contextmanager
def process_group(
    args: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None,
    stop: signal.Signals = signal.SIGTERM, grace: float = 15,
) -> Iterator[subprocess.Popen]:
    """Start a server in its own process group; on exit send `stop` to that group, then SIGKILL after `grace`."""
    with log.open("wb") as stream:
        process = subprocess.Popen(
            args, stdout=stream, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, stop)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def mariadb(root: Path, db_password: str) -> Iterator[int]:
    """A private MariaDB with a `wordpress` database and user `wp`; yields its loopback port."""
    root.mkdir(parents=True, exist_ok=True)
    data, port = root / "data", free_port()
    init = root / "init.sql"
    init.write_text(
        "CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4;\n"
        f"CREATE USER IF NOT EXISTS 'wp'@'{HOST}' IDENTIFIED BY '{db_password}';\n"
        f"GRANT ALL ON wordpress.* TO 'wp'@'{HOST}';\n"
    )
    tuning = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M", "--innodb-doublewrite=0",
              "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin", "--skip-name-resolve"]  # fmt: skip
    subprocess.run(
        ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root", "--skip-test-db",
         "--auth-root-authentication-method=normal", *tuning],
        capture_output=True, check=True,
    )  # fmt: skip
    args = [str(MARIADBD), "--no-defaults", f"--datadir={data}", "--user=root", f"--port={port}",
            f"--bind-address={HOST}", f"--socket={root / 'mysqld.sock'}", f"--pid-file={root / 'mysqld.pid'}",
            f"--init-file={init}", *tuning]  # fmt: skip
    log = root / "mariadb.log"
    with process_group(args, log) as process:
        wait_for_port(port, process, "mariadbd", log)
        yield port


def _config(site: str, db_port: int, db_password: str, content_dir: Path) -> str:
    salts = "".join(
        f"define('{name}', '{secrets.token_hex(32)}');\n"
        for name in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                     "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
    )  # fmt: skip
    return (
        "<?php\n// A herald test site, written and removed by tests/servers/wordpress.py.\n"
        f"define('DB_NAME', 'wordpress');\ndefine('DB_USER', 'wp');\ndefine('DB_PASSWORD', '{db_password}');\n"
        f"define('DB_HOST', '{HOST}:{db_port}');\ndefine('WP_HOME', '{site}');\ndefine('WP_SITEURL', '{site}');\n"
        f"define('WP_CONTENT_DIR', '{content_dir}');\ndefine('WP_ENVIRONMENT_TYPE', 'local');\n"
        "define('DISABLE_WP_CRON', true);\ndefine('WP_HTTP_BLOCK_EXTERNAL', true);\n"
        "define('AUTOMATIC_UPDATER_DISABLED', true);\ndefine('FS_METHOD', 'direct');\n"
        f"{salts}$table_prefix = 'wp_';\n"
    )


@contextmanager
def _config_file(name: str, text: str) -> Iterator[Path]:
    path = CONFIG_DIR / f"config-{name}.php"
    path.write_text(text)
    path.chmod(0o600)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _install(site: str, admin_password: str) -> None:
    """Run WordPress's own install form."""
    form = {
        "weblog_title": "Diff (herald test)", "user_name": ADMIN, "admin_password": admin_password,
        "admin_password2": admin_password, "pw_weak": "1", "admin_email": "admin@example.org",
        "blog_public": "0", "language": "",
    }  # fmt: skip
    response = httpx.post(f"{site}/wp-admin/install.php?step=2", data=form, timeout=60.0)
    if response.status_code != 200 or "Success!" not in response.text:
        raise RuntimeError(f"WordPress install failed ({response.status_code}): {response.text[-2000:]}")


def run_php(config_name: str, site: str, code: str) -> str:
    """Run PHP after loading wp-load.php for the site; return its output or raise with its errors."""
    php = (
        f"$_SERVER['WORDPRESS_CONFIG'] = '{config_name}'; $_SERVER['HTTP_HOST'] = '{site.removeprefix('http://')}';"
        f"require '{WORDPRESS_ROOT / 'wp-load.php'}'; {code}"
    )
    result = subprocess.run(["php", "-r", php], capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"php failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-1000:]}")
    return result.stdout


def _application_password(config_name: str, site: str) -> str:
    """Create an application password through WordPress's own PHP API."""
    password = run_php(
        config_name, site,
        f"$user = get_user_by('login', '{ADMIN}');"
        "$created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'herald']);"
        "if (is_wp_error($created)) { fwrite(STDERR, $created->get_error_message()); exit(1); }"
        "echo $created[0];",
    ).strip()  # fmt: skip
    if not password:
        raise RuntimeError("WordPress created no application password")
    return password


@contextmanager
def running_wordpress(root: Path) -> Iterator[WordPressSite]:
    """Start MariaDB, configure, serve and install WordPress under `root`; stop and remove it all on exit."""
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    content_dir = root / "wp-content"
    (content_dir / "uploads").mkdir(parents=True, exist_ok=True)
    for name in ("themes", "plugins"):
        (content_dir / name).symlink_to(WORDPRESS_ROOT / "wp-content" / name)
    db_password, admin_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    port = free_port()
    site = f"http://{HOST}:{port}"
    # Debian's wp-config.php takes the config name from $_SERVER['WORDPRESS_CONFIG'] before the Host header;
    # a prepended file sets it, so any host name works and concurrent test sessions do not collide.
    config_name = f"herald-test-{port}"
    prepend = root / "prepend.php"
    prepend.write_text(f"<?php $_SERVER['WORDPRESS_CONFIG'] = '{config_name}';\n")
    with ExitStack() as stack:
        db_port = stack.enter_context(mariadb(root / "mariadb", db_password))
        stack.enter_context(_config_file(config_name, _config(site, db_port, db_password, content_dir)))
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        args = ["php", "-d", f"auto_prepend_file={prepend}", "-S", f"{HOST}:{port}"]
        log = root / "php.log"
        php = stack.enter_context(process_group(args, log, env=env, cwd=WORDPRESS_ROOT))
        wait_for_port(port, php, "php -S", log)
        _install(site, admin_password)
        app_password = _application_password(config_name, site)
        elapsed = time.monotonic() - started
        yield WordPressSite(site, ADMIN, admin_password, app_password, content_dir, config_name, elapsed)
