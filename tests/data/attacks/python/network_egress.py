# Attack: reach the network: TCP to a host on the internet that this machine can reach (by IP, no DNS
# needed), TCP and UDP to services on the host's loopback, DNS through the host's resolver.
import socket

breaches = []


def attempt(what, fn):
    try:
        result = fn()
        print(f"{what}: {result}", flush=True)
        breaches.append(what)
    except OSError as e:
        print(f"{what}: blocked ({type(e).__name__}: {e.strerror or e})", flush=True)


def tcp(host, port):
    with socket.create_connection((host, port), timeout=1) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        return "connected"


def udp_echo(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        s.sendto(b"exfiltrated", (host, port))
        return f"answered {s.recv(100)!r}"


def dns_query(server):
    query = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04pypi\x03org\x00\x00\x01\x00\x01"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        s.sendto(query, (server, 53))
        return f"answered {len(s.recv(512))} bytes"


nameservers = [line.split()[1] for line in open("/etc/resolv.conf") if line.startswith("nameserver")]
attempt("tcp internet {{INTERNET_IP}}:443", lambda: tcp("{{INTERNET_IP}}", 443))
attempt("tcp host loopback :{{HOST_TCP_PORT}}", lambda: tcp("127.0.0.1", {{HOST_TCP_PORT}}))
attempt("udp host loopback :{{HOST_UDP_PORT}}", lambda: udp_echo("127.0.0.1", {{HOST_UDP_PORT}}))
for server in nameservers[:2]:
    attempt(f"dns over udp to {server}", lambda: dns_query(server))
attempt("getaddrinfo pypi.org", lambda: socket.getaddrinfo("pypi.org", 443)[0][4][0])
for what in breaches:
    print(f"BREACH: {what}")
