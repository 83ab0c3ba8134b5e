"""The UI over ASGI in this process (no browser): a cookie-keeping client per test."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from fastapi import FastAPI

from tests.web.served import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """One browser's cookie jar against the app; each call runs on its own event loop."""

    def __init__(
        self,
        app: FastAPI,
        base_url: str = "http://test",
        *,
        raise_app_exceptions: bool = True,
        address: str = "127.0.0.1",
    ) -> None:
        self.app = app
        self.address = address  # the client address the app sees
        self.base_url = base_url
        self.raise_app_exceptions = raise_app_exceptions  # False: see the 500 page instead
        self.cookies = httpx.Cookies()

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(
                app=self.app,
                raise_app_exceptions=self.raise_app_exceptions,
                client=(self.address, 50000),
            )
            async with httpx.AsyncClient(
                transport=transport, base_url=self.base_url, cookies=self.cookies
            ) as client:
                answer = await client.request(method, path, **kw)
                self.cookies = client.cookies
                return answer

        return asyncio.run(send())

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict[str, str], **kw: Any) -> httpx.Response:
        return self.request("POST", path, data=data, **kw)

    def csrf(self, path: str) -> str:
        found = CSRF.search(self.get(path).text)
        assert found is not None, path
        return found.group(1)

    def sign_in(self, name: str, password: str = PASSWORD) -> httpx.Response:
        token = self.csrf("/ui/sign-in")
        return self.post(
            "/ui/sign-in", {"csrf": token, "name": name, "password": password, "next": "/ui/"}
        )

    def sign_in_token(self, token: str) -> httpx.Response:
        csrf = self.csrf("/ui/sign-in")
        return self.post("/ui/sign-in", {"csrf": csrf, "token": token, "next": "/ui/"})
