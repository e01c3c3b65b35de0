#!/usr/bin/env python3
"""Second generator: domain requests and special watches mixed with node requests."""
import os, random, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import record
from run_xs import escape


def gen(rnd, n):
    lines = ['connect a 0', 'connect b 0', 'connect g 5', 'connect h 6',
             'a MKDIR /local/domain/5\\0', 'a SET_PERMS /local/domain/5\\0n5\\0', 'a MKDIR /local/domain/6\\0',
             'a SET_PERMS /local/domain/6\\0n6\\0r5\\0']
    for _ in range(n):
        r = rnd.random()
        priv = rnd.choice('ab')
        anyc = rnd.choice('abgh')
        if r < 0.10:
            op = '%s INTRODUCE %d\\0%d\\0%s\\0' % (priv, rnd.choice([7, 8, 5]), rnd.randint(0, 3), rnd.choice(['1', '0', '-1', 'x']))
        elif r < 0.18:
            op = '%s RELEASE %s\\0' % (priv, rnd.choice(['7', '8', '0', '9', 'x']))
        elif r < 0.22:
            op = '%s RESUME %s\\0' % (anyc, rnd.choice(['7', '5', '0', '9']))
        elif r < 0.30:
            op = '%s SET_TARGET %s\\0%s\\0' % (anyc, rnd.choice(['5', '6', '7', '9']), rnd.choice(['5', '6', '7', '9']))
        elif r < 0.36:
            op = '%s IS_DOMAIN_INTRODUCED %s\\0' % (anyc, rnd.choice(['0', '5', '7', '8', '9', '32752']))
        elif r < 0.46:
            op = '%s WATCH %s\\0%s\\0' % (anyc, rnd.choice(['@introduceDomain', '@releaseDomain', '/local/domain', 'x']),
                                         rnd.choice(['s0', 's1']))
        elif r < 0.52:
            op = '%s SET_PERMS %s\\0%s' % (priv, rnd.choice(['@introduceDomain', '@releaseDomain']),
                                           ''.join('%s%d\\0' % (rnd.choice('nrwb'), rnd.choice([0, 5, 6, 7]))
                                                   for _ in range(rnd.randint(1, 2))))
        elif r < 0.62:
            p = rnd.choice(['/local/domain/5/k', '/local/domain/6/k', '/local/domain/7/k', 'k', 'd/e'])
            op = '%s WRITE %s\\0v%d' % (anyc, p, rnd.randint(0, 9))
        elif r < 0.70:
            p = rnd.choice(['/local/domain/5/k', '/local/domain/6/k', '/local/domain/7', 'k', 'd'])
            op = '%s READ %s\\0' % (anyc, p)
        elif r < 0.78:
            p = rnd.choice(['/local/domain/5', '/local/domain/6/k', '/local/domain/7', 'd'])
            op = '%s SET_PERMS %s\\0%s' % (anyc, p, ''.join('%s%d\\0' % (rnd.choice('nrwb'), rnd.choice([0, 5, 6, 7]))
                                                              for _ in range(rnd.randint(1, 2))))
        elif r < 0.86:
            p = rnd.choice(['/local/domain/5/k', '/local/domain/6', '/local/domain/7', 'd'])
            op = '%s RM %s\\0' % (anyc, p)
        elif r < 0.92:
            op = '%s GET_PERMS %s\\0' % (anyc, rnd.choice(['/local/domain/5', '/local/domain/6/k', 'k']))
        else:
            op = '%s DIRECTORY %s\\0' % (anyc, rnd.choice(['/local/domain', '/local/domain/5', '/']))
        lines.append(op)
    return lines


record.gen = gen
if __name__ == '__main__':
    record.main()
