#!/usr/bin/env python3
"""Server reflection and health, as a standard gRPC tool sees them.

Starts the real dibao-server on a free loopback port and talks to it with
Debian's python3-grpcio using raw bytes, the way grpcurl does: no dibao code
or generated stubs on this side.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import grpc


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def string_field(number, text):
    data = text.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def main():
    bin_dir = os.environ.get("DIBAO_BIN_DIR", "build")
    server = os.path.join(bin_dir, "services", "dibao-server")
    # The test certificates (<build>/tests/pki): the server requires one
    # from every client, a standard tool's included.
    pki = os.path.join(bin_dir, "tests", "pki")
    src = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))

    def read(name):
        with open(os.path.join(pki, name), "rb") as f:
            return f.read()

    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen(
            [server, "--listen=127.0.0.1:0", "--data_dir=" + data,
             "--tls_cert=" + os.path.join(pki, "server.crt"),
             "--tls_key=" + os.path.join(pki, "server.key"),
             "--tls_ca=" + os.path.join(pki, "ca.crt"),
             "--principals=" + os.path.join(
                 src, "tests", "testing", "principals.textproto")],
            stderr=subprocess.PIPE, text=True)
        try:
            port = None
            deadline = time.time() + 20
            while port is None and time.time() < deadline:
                line = proc.stderr.readline()
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if m:
                    port = m.group(1)
            assert port, "server did not start"
            # Without a certificate the handshake fails: nothing is served.
            bare = grpc.secure_channel("127.0.0.1:" + port,
                                       grpc.ssl_channel_credentials(
                                           read("ca.crt")))
            try:
                grpc.channel_ready_future(bare).result(timeout=3)
                health = bare.unary_unary("/grpc.health.v1.Health/Check")
                health(b"", timeout=5)
                raise AssertionError("served a client without a certificate")
            except (grpc.FutureTimeoutError, grpc.RpcError):
                pass
            channel = grpc.secure_channel(
                "127.0.0.1:" + port,
                grpc.ssl_channel_credentials(read("ca.crt"),
                                             read("auditor-1.key"),
                                             read("auditor-1.crt")))

            reflect = channel.stream_stream(
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
            # ServerReflectionRequest.list_services (field 7).
            listing = b"".join(reflect(iter([string_field(7, "")]), timeout=10))
            for name in (b"dibao.v1.RegistryService", b"dibao.v1.FeedService",
                         b"grpc.health.v1.Health"):
                assert name in listing, "reflection does not list %r" % name
            # file_containing_symbol (field 4) gives the schema itself.
            schema = b"".join(reflect(
                iter([string_field(4, "dibao.v1.RegistryService")]), timeout=10))
            assert b"dibao/v1/registry.proto" in schema, "no schema via reflection"
            assert b"ImportRegistry" in schema

            health = channel.unary_unary("/grpc.health.v1.Health/Check")
            # HealthCheckResponse{status: SERVING} is field 1 = 1.
            assert health(b"", timeout=10) == b"\x08\x01", "not SERVING"
            # An idle open connection would hold the server's graceful stop
            # for a few seconds; close it like a finished client does.
            channel.close()
            print("reflection and health OK on port " + port)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
