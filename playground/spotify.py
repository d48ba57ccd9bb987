"""A stand-in for Spotify's token and search endpoints on 127.0.0.1, for tests and the bench.

    with FakeSpotify() as fake:
        fake.mode = "rate-limited"          # "ok", "rate-limited", "error", "slow"
        client = fake.client()               # a SpotifyClient pointed at the fake
"""
from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from music.spotify import SpotifyClient

CLIENT_ID, CLIENT_SECRET, TOKEN = "fake-id", "fake-secret", "fake-token"


def _track(i: int, explicit: bool = False) -> dict:
    return {"id": f"live{i:018d}", "name": f"Live song {i}", "artists": [{"name": f"Live artist {i}"}],
            "explicit": explicit, "popularity": 50}


class FakeSpotify:
    def __init__(self) -> None:
        self.mode = "ok"
        self.retry_after = 120
        self.delay = 2.0            # seconds a "slow" search takes
        self.searches: list[str] = []  # queries received
        self.tracks = [_track(1), None, _track(2, explicit=True), _track(3)]
        self.playlists = [None, {"id": "livePlaylist0000000001", "name": "Live playlist"}]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.path != "/api/token" or self.headers.get("Authorization") != f"Basic {expected}":
                    return self._send(400, {"error": "invalid_client", "error_description": "Invalid client"})
                self._send(200, {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600})

            def do_GET(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, {"error": {"status": 401, "message": "Invalid access token"}})
                fake.searches.append(self.path)
                if fake.mode == "rate-limited":
                    return self._send(429, {"error": {"status": 429, "message": "API rate limit exceeded"}},
                                      {"Retry-After": str(fake.retry_after)})
                if fake.mode == "error":
                    return self._send(500, {"error": {"status": 500, "message": "Server error"}})
                if fake.mode == "slow":
                    time.sleep(fake.delay)
                self._send(200, {"tracks": {"items": fake.tracks}, "playlists": {"items": fake.playlists}})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def client(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET, **kwargs) -> SpotifyClient:
        return SpotifyClient(client_id, client_secret, api_url=f"{self.base_url}/v1/",
                             token_url=f"{self.base_url}/api/token", **kwargs)

    def __enter__(self) -> FakeSpotify:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
