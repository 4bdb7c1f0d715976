"""A small, real OpenID Connect provider for the sign-in tests, on 127.0.0.1.

It serves what Streamlit's st.login (Authlib) asks of a provider: the discovery document, the
JWKS, an authorization endpoint and a token endpoint that hands out RS256-signed ID tokens. There
is no login form: the authorization endpoint signs in whoever the test named with `sign_in_as`
(the claims it puts in the ID token, `email_verified` included) and redirects straight back with a
code. The token endpoint checks the client's id and secret, the code and the redirect URI, and
binds the ID token to the nonce of the authorization request, as a provider must.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "scalewise-e2e"
CLIENT_SECRET = secrets.token_urlsafe(24)


@dataclass
class Grant:
    claims: dict[str, Any]
    nonce: str | None
    redirect_uri: str


@dataclass
class OidcProvider:
    server: ThreadingHTTPServer
    key: RSAKey
    person: dict[str, Any] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    issued: list[dict[str, Any]] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def sign_in_as(self, *, sub: str, email: str, email_verified: bool, name: str = "") -> None:
        """Who the next authorization request signs in."""
        self.person = {"sub": sub, "email": email, "email_verified": email_verified, "name": name or email}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "nonce",
                "email",
                "email_verified",
                "name",
            ],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the client, with a one-time code for the person signed in."""
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            raise PermissionError("unknown client or response type")
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(dict(self.person), query.get("nonce"), query["redirect_uri"])
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            raise PermissionError("invalid_client")
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            raise PermissionError("invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise PermissionError("invalid_grant: redirect_uri")
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **grant.claims}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        self.issued.append(claims)
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        return {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_provider() -> OidcProvider:
    """Start the provider on a free port of 127.0.0.1 (close() stops it)."""
    key = RSAKey.generate_key(2048, parameters={"kid": "e2e-1", "use": "sig", "alg": "RS256"})
    provider: OidcProvider

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, body: dict[str, Any] | None = None, location: str | None = None) -> None:
            data = json.dumps(body or {}).encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif url.path == "/jwks":
                self._send(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                try:
                    self._send(302, location=provider.authorize(query))
                except (PermissionError, KeyError) as exc:
                    self._send(400, {"error": str(exc)})
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path != "/token":
                self._send(404, {"error": "not_found"})
                return
            try:
                self._send(200, provider.token(form, self.headers.get("Authorization")))
            except PermissionError as exc:
                self._send(400, {"error": str(exc)})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider = OidcProvider(server, key)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider
