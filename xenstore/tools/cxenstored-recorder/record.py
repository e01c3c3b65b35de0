#!/usr/bin/env python3
"""Generate random request scripts, run them on the real cxenstored 4.17 and write .xs files with its answers."""
import os, random, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_xs import *

PATHS = ['/local/domain/5', '/local/domain/5/x', '/local/domain/5/x/y', '/local/domain/6', '/local/domain/6/d',
         '/shared', '/shared/a', '/shared/a/b', 'rel', 'rel/k', 'x', 'x/y', '/tool', '/', '/a//b', '',
         '@introduceDomain', '@releaseDomain', '/local/domain/5/x/y/z']
VALUES = [b'', b'v', b'a\0b', b'\xff\x00\x01', b'value-' * 5]


def esc_req(b):
    return escape(b)


def gen(rnd, n):
    lines = ['connect a 0', 'connect b 0', 'connect g 5', 'connect h 6']
    if rnd.random() < 0.5:
        lines.append('quota %s %d' % rnd.choice([('nodes', 6), ('watches', 2), ('transactions', 1),
                                                  ('transaction-nodes', 4), ('permissions', 2)]))
    # dom0 sets up homes like a toolstack
    lines += ['a MKDIR /local/domain/5\\0', 'a SET_PERMS /local/domain/5\\0n5\\0r6\\0',
              'a MKDIR /local/domain/6\\0', 'a SET_PERMS /local/domain/6\\0n6\\0']
    tx = {}
    for _ in range(n):
        who = rnd.choice('abgh')
        t = tx.get(who, 0)
        p = rnd.choice(PATHS).encode()
        r = rnd.random()
        if r < 0.16:
            op = 'WRITE %s' % esc_req(p + b'\0' + rnd.choice(VALUES))
        elif r < 0.24:
            op = 'MKDIR %s' % esc_req(p + b'\0')
        elif r < 0.32:
            op = 'RM %s' % esc_req(p + b'\0')
        elif r < 0.42:
            op = 'READ %s' % esc_req(p + b'\0')
        elif r < 0.48:
            op = 'DIRECTORY %s' % esc_req(p + b'\0')
        elif r < 0.52:
            op = 'DIRECTORY_PART %s' % esc_req(p + b'\0' + str(rnd.randint(0, 8)).encode() + b'\0')
        elif r < 0.57:
            op = 'GET_PERMS %s' % esc_req(p + b'\0')
        elif r < 0.65:
            perms = b''.join(rnd.choice([b'n', b'r', b'w', b'b']) + str(rnd.choice([0, 5, 6, 42])).encode() + b'\0'
                             for _ in range(rnd.randint(1, 3)))
            op = 'SET_PERMS %s' % esc_req(p + b'\0' + perms)
        elif r < 0.73:
            op = 'WATCH %s' % esc_req(p + b'\0' + rnd.choice([b't0', b't1', b't2']) + b'\0')
        elif r < 0.77:
            op = 'UNWATCH %s' % esc_req(p + b'\0' + rnd.choice([b't0', b't1', b't2']) + b'\0')
        elif r < 0.85:
            if t == 0:
                op = 'TRANSACTION_START \\0'
            else:
                op = 'TRANSACTION_END %s' % rnd.choice(['T\\0', 'F\\0', 'T\\0'])
        elif r < 0.87:
            op = 'RESET_WATCHES \\0'
        elif r < 0.90:
            op = 'GET_DOMAIN_PATH %s\\0' % rnd.choice(['0', '5', '7'])
        elif r < 0.93:
            op = 'IS_DOMAIN_INTRODUCED %s\\0' % rnd.choice(['0', '5', '9'])
        elif r < 0.96:
            op = 'WATCH %s' % esc_req(p + b'\0tok\0extra\0')
        else:
            op = 'TRANSACTION_END %s' % rnd.choice(['X\\0', 'T', ''])
        prefix = who if t == 0 else '%s@%d' % (who, t)
        lines.append(prefix + ' ' + op)
        # track transaction ids: assume ids are assigned 1,2,... per connection (checked by the recording)
        if op.startswith('TRANSACTION_START'):
            tx['next_' + who] = tx.get('next_' + who, 0) + 1
            tx[who] = tx['next_' + who]
        elif op.startswith('TRANSACTION_END') and t and op in ('TRANSACTION_END T\\0', 'TRANSACTION_END F\\0'):
            tx[who] = 0
        elif op.startswith('RESET_WATCHES'):
            tx[who] = 0
    return lines


def record(lines):
    """Runs lines on the real daemon; returns the script text with the real outputs (per connection order)."""
    d = Daemon(None)
    conns = {}
    admin = SockConn('_admin')
    req = [0]
    out = []
    try:
        for line in lines:
            w = line.split(' ', 2)
            out.append(line)
            if w[0] == 'connect':
                name, domid = w[1], int(w[2])
                if domid == 0:
                    conns[name] = SockConn(name)
                else:
                    req[0] += 1
                    p = b'%d\x000\x001\x00' % domid
                    admin.send(struct.pack('<IIII', 8, req[0], 0, len(p)) + p)
                    collect({'_admin': admin})
                    conns[name] = RingConn(name, domid, d)
                continue
            if w[0] == 'quota':
                req[0] += 1
                p = b'quota\0set\0' + w[1].encode() + b'\0' + w[2].encode() + b'\0'
                admin.send(struct.pack('<IIII', 0, req[0], 0, len(p)) + p)
                collect({'_admin': admin})
                continue
            who = w[0]
            tx = 0
            if '@' in who:
                who, t = who.split('@')
                tx = int(t)
            t = XS[w[1]]
            payload = unescape(w[2]) if len(w) > 2 else b''
            req[0] += 1
            conns[who].send(struct.pack('<IIII', t, req[0], tx, len(payload)) + payload)
            got = []
            deadline = time.time() + 5
            while time.time() < deadline and not any(n == who and m[1] == req[0] and m[0] != 15 for n, m in got):
                for name, c in conns.items():
                    for m in c.poll():
                        got.append((name, m))
                time.sleep(0.002)
            got += collect(conns)
            if d.proc.poll() is not None:
                raise Exception('real daemon died at: ' + line)
            for name, (mt, r, x, p) in got:
                out.append(('  %s %s %s' % (name, NAMES.get(mt, str(mt)), escape(p))).rstrip())
        return '\n'.join(out) + '\n'
    finally:
        for c in conns.values():
            if isinstance(c, SockConn):
                c.close()
        admin.close()
        d.stop()


def main():
    seed0, count, n, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(path, 'w') as f:
        f.write('# Recorded from the real cxenstored 4.17 (Debian xen-utils-4.17, run without a hypervisor via an\n'
                '# LD_PRELOAD stub) for seeded random request mixes; outputs compared per connection.\n'
                '# Domains 0..20 exist for the stub (hence the platform-create lines); 42 does not.\n')
        for s in range(seed0, seed0 + count):
            rnd = random.Random(s)
            lines = gen(rnd, n)
            try:
                text = record(lines)
            except Exception as e:
                print('seed %d skipped: %s' % (s, e))
                continue
            f.write('\n=== random mix seed %d\n' % s)
            f.write(''.join('platform-create %d\n' % i for i in (1, 2, 3, 4, 7, 8, 9)))
            f.write(text)
            print('seed %d recorded' % s)


if __name__ == '__main__':
    main()
