#!/usr/bin/env python3
"""Run the xenstore .xs scenario scripts against the REAL cxenstored 4.17 (validation only)."""
import mmap, os, re, select, shutil, signal, socket, struct, subprocess, sys, time

XS = {'CONTROL': 0, 'DIRECTORY': 1, 'READ': 2, 'GET_PERMS': 3, 'WATCH': 4, 'UNWATCH': 5, 'TRANSACTION_START': 6,
      'TRANSACTION_END': 7, 'INTRODUCE': 8, 'RELEASE': 9, 'GET_DOMAIN_PATH': 10, 'WRITE': 11, 'MKDIR': 12, 'RM': 13,
      'SET_PERMS': 14, 'WATCH_EVENT': 15, 'ERROR': 16, 'IS_DOMAIN_INTRODUCED': 17, 'RESUME': 18, 'SET_TARGET': 19,
      'RESTRICT': 20, 'RESET_WATCHES': 21, 'DIRECTORY_PART': 22, 'GET_FEATURE': 23, 'SET_FEATURE': 24, 'GET_QUOTA': 25,
      'SET_QUOTA': 26}
NAMES = {v: k for k, v in XS.items()}
QUOTA = {'nodes': 'nodes', 'watches': 'watches', 'transactions': 'transactions', 'outstanding': 'outstanding',
         'transaction-nodes': 'transaction-nodes', 'transaction_nodes': 'transaction-nodes', 'memory': 'memory',
         'node-size': 'node-size', 'node_size': 'node-size', 'path-max': 'path-max', 'path_max': 'path-max',
         'permissions': 'permissions'}
BASE = os.environ.get('XS_RECORDER_DIR', '/tmp/xsreal')
RUN = BASE + '/run'


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            n = s[i + 1]
            if n == '0':
                out.append(0); i += 2; continue
            if n == '\\':
                out.append(92); i += 2; continue
            if n == 's':
                out.append(32); i += 2; continue
            if n == 'x':
                out.append(int(s[i + 2:i + 4], 16)); i += 4; continue
        out.extend(c.encode('latin-1')); i += 1
    return bytes(out)


def escape(b):
    out = []
    for x in b:
        if x == 0:
            out.append('\\0')
        elif x == 92:
            out.append('\\\\')
        elif x < 0x20 or x > 0x7e:
            out.append('\\x%02x' % x)
        else:
            out.append(chr(x))
    return ''.join(out)


class Unsupported(Exception):
    pass


class Daemon:
    def __init__(self, priv):
        shutil.rmtree(RUN, ignore_errors=True)
        os.makedirs(RUN)
        open(RUN + '/xsd_kva', 'wb').write(b'\0' * 4096)
        open(RUN + '/xsd_port', 'w').write('1\n')
        os.mkfifo(RUN + '/evtchn')
        self.domains = {d: (0, 0) for d in range(0, 21)}
        self.write_domains()
        self.fifo = os.open(RUN + '/evtchn', os.O_RDWR | os.O_NONBLOCK)
        env = dict(os.environ, XENSTORED_RUNDIR=RUN, XS_STUB_DIR=RUN, LD_PRELOAD=BASE + '/stub.so')
        args = ['/usr/lib/xen-4.17/bin/xenstored', '-N', '-T', RUN + '/trace.log']
        if priv is not None:
            args.append('--priv-domid=%d' % priv)
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(RUN + '/socket'):
                break
            time.sleep(0.01)
        time.sleep(0.05)

    def write_domains(self):
        with open(RUN + '/domains', 'w') as f:
            for d, (s, y) in self.domains.items():
                f.write('%d %d %d\n' % (d, s, y))

    def kick(self, port):
        os.write(self.fifo, struct.pack('<i', port))

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        os.close(self.fifo)


class SockConn:
    def __init__(self, name):
        self.name = name
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(RUN + '/socket')
        self.s.setblocking(False)
        self.buf = b''
        self.closed = False

    def send(self, data):
        self.s.sendall(data)

    def poll(self):
        out = []
        if self.closed:
            return out
        while True:
            try:
                d = self.s.recv(65536)
            except BlockingIOError:
                break
            except ConnectionResetError:
                self.closed = True
                break
            if not d:
                self.closed = True
                break
            self.buf += d
        while len(self.buf) >= 16:
            t, r, x, l = struct.unpack('<IIII', self.buf[:16])
            if len(self.buf) < 16 + l:
                break
            out.append((t, r, x, self.buf[16:16 + l]))
            self.buf = self.buf[16 + l:]
        return out

    def close(self):
        self.s.close()
        self.closed = True


class RingConn:
    def __init__(self, name, domid, daemon):
        self.name = name
        self.domid = domid
        self.daemon = daemon
        fd = os.open(RUN + '/ring-%d' % domid, os.O_RDWR)
        self.m = mmap.mmap(fd, 4096)
        os.close(fd)
        self.buf = b''
        self.closed = False

    def u32(self, off):
        return struct.unpack_from('<I', self.m, off)[0]

    def set32(self, off, v):
        struct.pack_into('<I', self.m, off, v & 0xffffffff)

    def send(self, data):
        while data:
            cons, prod = self.u32(2048), self.u32(2052)
            space = 1024 - (prod - cons)
            if space <= 0:
                self.daemon.kick(100 + self.domid)
                time.sleep(0.005)
                continue
            n = min(space, len(data), 1024 - (prod % 1024))
            self.m[prod % 1024:prod % 1024 + n] = data[:n]
            self.set32(2052, prod + n)
            data = data[n:]
            self.daemon.kick(100 + self.domid)

    def poll(self):
        cons, prod = self.u32(2056), self.u32(2060)
        got = False
        while cons != prod:
            i = cons % 1024
            n = min(prod - cons, 1024 - i)
            self.buf += bytes(self.m[1024 + i:1024 + i + n])
            cons += n
            got = True
            self.set32(2056, cons)
            cons, prod = self.u32(2056), self.u32(2060)
        if got:
            self.daemon.kick(100 + self.domid)
        out = []
        while len(self.buf) >= 16:
            t, r, x, l = struct.unpack('<IIII', self.buf[:16])
            if len(self.buf) < 16 + l:
                break
            out.append((t, r, x, self.buf[16:16 + l]))
            self.buf = self.buf[16 + l:]
        return out


def collect(conns, quiet=0.12, maxwait=3.0):
    got = []
    start = time.time()
    last = time.time()
    while time.time() - last < quiet and time.time() - start < maxwait:
        any_ = False
        for name, c in list(conns.items()):
            for m in c.poll():
                got.append((name, m))
                any_ = True
        if any_:
            last = time.time()
        time.sleep(0.003)
    return got


def run_scenario(body):
    priv = None
    for line in body.split('\n'):
        m = re.match(r'connect (\w+) (\d+) priv', line.strip())
        if m:
            priv = int(m.group(2))
    for line in body.split('\n'):
        w = line.strip().split(' ')
        if w[0] in ('quota-domain', 'clock', 'block', 'unblock'):
            raise Unsupported(w[0])
    d = Daemon(priv)
    conns = {}
    admin = SockConn('_admin')
    problems = []
    req = [0]

    def admin_req(t, payload):
        req[0] += 1
        admin.send(struct.pack('<IIII', t, req[0], 0, len(payload)) + payload)
        r = collect({'_admin': admin})
        return r

    try:
        lines = body.split('\n')
        i = 0
        while i < len(lines):
            raw = lines[i]
            line = raw if not raw.startswith('#') else ''
            if ' #' in line:
                line = line[:line.index(' #')]
            i += 1
            if not line.strip() or line[0].isspace():
                continue
            expected = []
            while i < len(lines):
                nxt = lines[i]
                if nxt.startswith('#') or not nxt.strip():
                    i += 1
                    continue
                if not nxt[0].isspace():
                    break
                e = nxt.strip()
                if ' #' in e:
                    e = e[:e.index(' #')]
                expected.append(e.rstrip())
                i += 1
            line = line.strip()
            w = line.split(' ', 2)
            if w[0] == 'connect':
                a = line.split(' ')
                name, domid = a[1], int(a[2])
                if domid == 0:
                    conns[name] = SockConn(name)
                else:
                    r = admin_req(XS['INTRODUCE'], b'%d\x000\x001\x00' % domid)
                    conns[name] = RingConn(name, domid, d)
                time.sleep(0.01)
                continue
            elif w[0] == 'attach':
                conns[w[1]] = RingConn(w[1], int(w[2]), d)
                continue
            elif w[0] == 'quota':
                r = admin_req(XS['CONTROL'], b'quota\0set\0' + QUOTA[w[1]].encode() + b'\0' + w[2].encode() + b'\0')
                continue
            elif w[0] == 'platform-create':
                d.domains[int(w[1])] = (0, 0); d.write_domains(); continue
            elif w[0] == 'platform-kill':
                d.domains[int(w[1])] = (1, 1); d.write_domains(); continue
            elif w[0] == 'platform-shutdown':
                d.domains[int(w[1])] = (1, d.domains.get(int(w[1]), (0, 0))[1]); d.write_domains(); continue
            elif w[0] == 'platform-destroy':
                d.domains.pop(int(w[1]), None); d.write_domains(); continue
            elif w[0] in ('checkdomains', 'close', 'protoerr'):
                if w[0] == 'checkdomains':
                    d.kick(1000)
                elif w[0] == 'close':
                    c = conns[w[1]]
                    if isinstance(c, SockConn):
                        c.close()
                    else:
                        d.domains[c.domid] = (1, 1); d.write_domains(); d.kick(1000)
                else:
                    c = conns[w[1]]
                    c.send(struct.pack('<IIII', 2, 0, 0, 4097))
                got = collect(conns)
            else:
                who = w[0]
                tx = 0
                if '@' in who:
                    who, t = who.split('@')
                    tx = int(t) & 0xffffffff
                t = XS[w[1]] if w[1] in XS else int(w[1]) & 0xffffffff
                payload = unescape(w[2]) if len(w) > 2 else b''
                req[0] += 1
                c = conns[who]
                if c.closed:
                    got = []
                else:
                    c.send(struct.pack('<IIII', t, req[0], tx, len(payload)) + payload)
                    got = collect(conns)
            actual = []
            for name, (t, r, x, p) in got:
                actual.append(('%s %s %s' % (name, NAMES.get(t, str(t)), escape(p))).rstrip())
            # compare per connection
            def group(lst):
                g = {}
                for s in lst:
                    g.setdefault(s.split(' ', 1)[0], []).append(s)
                return g
            if group(actual) != group(expected):
                problems.append((line, expected, actual))
        return problems
    finally:
        for c in conns.values():
            if isinstance(c, SockConn):
                c.close()
        admin.close()
        d.stop()


def main():
    files = sys.argv[1:]
    total = bad = skipped = 0
    for f in files:
        text = open(f, encoding='latin-1').read()
        parts = re.split(r'^=== (.*)$', text, flags=re.M)
        for k in range(1, len(parts), 2):
            name, body = parts[k].strip(), parts[k + 1]
            total += 1
            try:
                probs = run_scenario(body)
            except Unsupported as e:
                skipped += 1
                print('SKIP %s: %s (%s)' % (os.path.basename(f), name, e))
                continue
            if probs:
                bad += 1
                print('DIFF %s: %s' % (os.path.basename(f), name))
                for line, exp, act in probs:
                    print('   request:  %s' % line)
                    print('   expected: %s' % exp)
                    print('   real:     %s' % act)
            else:
                print('ok   %s: %s' % (os.path.basename(f), name))
    print('total %d, differing %d, skipped %d' % (total, bad, skipped))


if __name__ == '__main__':
    main()
