"""bench/load.py's load generator: asyncio on keep-alive HTTP/1.1 connections, in the
process that runs it, timing each request."""

import asyncio
import random
import time
from dataclasses import dataclass, field


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class Connection:
    """One keep-alive HTTP/1.1 connection that reads Content-Length and chunked bodies."""

    def __init__(self, port: int, cookie: str = "", accept_encoding: str = "identity") -> None:
        self.port = port
        self.cookie = cookie
        self.accept_encoding = accept_encoding
        self.reader = self.writer = None
        # Whether the open connection has carried a request already (kept alive).
        self.reused = False

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.reused = False
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}"
            f"Accept-Encoding: {self.accept_encoding}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        self.reused = True
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _drive(
    port: int,
    paths,
    cookies: list[str],
    connections: int,
    seconds: float,
    think: float,
    accept_encoding: str,
) -> Tally:
    tally = Tally()
    stop = time.monotonic() + seconds

    async def one(index: int) -> None:
        cookie = cookies[index % len(cookies)] if cookies else ""
        connection = Connection(port, cookie, accept_encoding)
        if think:
            # Members arrive over the first pause rather than all in the same instant.
            await asyncio.sleep(random.uniform(0, think))
        while time.monotonic() < stop:
            path = paths() if callable(paths) else paths
            started = time.perf_counter()
            try:
                try:
                    status = await connection.get(path)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    if not connection.reused:
                        raise
                    # The server closed the kept-alive connection while the member was
                    # reading (gunicorn's keepalive): browsers send an idempotent request
                    # again on a new connection (RFC 9112, 9.3.1), and so does this.
                    connection.close()
                    status = await connection.get(path)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                tally.errors += 1
                connection.close()
                await asyncio.sleep(0.05)
                continue
            tally.times.append(time.perf_counter() - started)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if status >= 400:
                tally.errors += 1
            if think:
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)
        connection.close()

    await asyncio.gather(*(one(index) for index in range(connections)))
    return tally


def drive(
    port: int,
    paths,
    *,
    cookies=(),
    connections: int,
    seconds: float,
    think: float = 0.0,
    accept_encoding: str = "identity",
) -> Tally:
    """`connections` connections asking for `paths` (a path, or a function that picks
    one) for `seconds`, each pausing about `think` seconds between requests; with
    `accept_encoding` "gzip", as browsers ask, pages come compressed."""
    return asyncio.run(
        _drive(port, paths, list(cookies), connections, seconds, think, accept_encoding)
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0
