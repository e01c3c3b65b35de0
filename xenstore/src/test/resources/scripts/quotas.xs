# Quotas (xen-pv-protocols.md §1.9): unprivileged domains only, except path-max.

=== node count quota per domain, checked per new node, rolled back cleanly (XSA-414)
connect a 0
connect g 5
quota nodes 4
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g MKDIR a\0
  g MKDIR OK\0
g MKDIR b\0
  g MKDIR OK\0
g MKDIR c\0
  g MKDIR OK\0
g MKDIR d\0
  g ERROR ENOSPC\0
g WRITE c\0existing-node-is-fine
  g WRITE OK\0
a MKDIR /local/domain/5/fromdom0\0
  a MKDIR OK\0
g RM a\0
  g RM OK\0
g MKDIR d\0
  g ERROR ENOSPC\0
g RM b\0
  g RM OK\0
g MKDIR d/e\0
  g ERROR ENOSPC\0
g READ d/e\0
  g ERROR ENOENT\0
g READ d\0
  g ERROR ENOENT\0
g DIRECTORY /local/domain/5\0
  g DIRECTORY c\0fromdom0\0
g MKDIR d\0
  g MKDIR OK\0

=== per-domain override of the node quota
connect a 0
connect g 5
connect h 6
quota-domain 5 nodes 2
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
a MKDIR /local/domain/6\0
  a MKDIR OK\0
a SET_PERMS /local/domain/6\0n6\0
  a SET_PERMS OK\0
g MKDIR a\0
  g MKDIR OK\0
g MKDIR b\0
  g ERROR ENOSPC\0
h MKDIR a\0
  h MKDIR OK\0
h MKDIR b\0
  h MKDIR OK\0

=== node quota inside a transaction is checked at commit (count reaching the quota fails)
connect a 0
connect g 5
quota nodes 3
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g TRANSACTION_START \0
  g TRANSACTION_START 1\0
g@1 MKDIR x\0
  g MKDIR OK\0
g@1 MKDIR y\0
  g MKDIR OK\0
g@1 TRANSACTION_END T\0
  g ERROR ENOSPC\0
g READ x\0
  g ERROR ENOENT\0
g MKDIR x\0
  g MKDIR OK\0
g MKDIR y\0
  g MKDIR OK\0

=== dom0 is not subject to the node quota
connect a 0
quota nodes 1
a WRITE /a/b/c/d\0v
  a WRITE OK\0

=== watch quota: a count above the quota is refused (so quota+1 watches fit)
connect a 0
connect g 5
quota watches 2
g WATCH /w\01\0
  g WATCH OK\0
  g WATCH_EVENT /w\01\0
g WATCH /w\02\0
  g WATCH OK\0
  g WATCH_EVENT /w\02\0
g WATCH /w\03\0
  g WATCH OK\0
  g WATCH_EVENT /w\03\0
g WATCH /w\04\0
  g ERROR E2BIG\0
g UNWATCH /w\01\0
  g UNWATCH OK\0
g WATCH /w\04\0
  g WATCH OK\0
  g WATCH_EVENT /w\04\0
g RESET_WATCHES \0
  g RESET_WATCHES OK\0
g WATCH /w\05\0
  g WATCH OK\0
  g WATCH_EVENT /w\05\0
a WATCH /w\0a1\0
  a WATCH OK\0
  a WATCH_EVENT /w\0a1\0
a WATCH /w\0a2\0
  a WATCH OK\0
  a WATCH_EVENT /w\0a2\0
a WATCH /w\0a3\0
  a WATCH OK\0
  a WATCH_EVENT /w\0a3\0
a WATCH /w\0a4\0
  a WATCH OK\0
  a WATCH_EVENT /w\0a4\0

=== transaction quota: more open transactions than the quota are refused with ENOSPC
connect a 0
connect g 5
quota transactions 1
g TRANSACTION_START \0
  g TRANSACTION_START 1\0
g TRANSACTION_START \0
  g TRANSACTION_START 2\0
g TRANSACTION_START \0
  g ERROR ENOSPC\0
g@1 TRANSACTION_END F\0
  g TRANSACTION_END OK\0
g TRANSACTION_START \0
  g TRANSACTION_START 3\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a TRANSACTION_START \0
  a TRANSACTION_START 2\0
a TRANSACTION_START \0
  a TRANSACTION_START 3\0

=== transaction-nodes quota: the access over the quota fails and the transaction cannot commit (XSA-326)
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g MKDIR a\0
  g MKDIR OK\0
g MKDIR b\0
  g MKDIR OK\0
g MKDIR c\0
  g MKDIR OK\0
quota transaction-nodes 3
g TRANSACTION_START \0
  g TRANSACTION_START 1\0
g@1 READ a\0
  g READ
g@1 READ b\0
  g READ
g@1 READ c\0
  g READ
g@1 READ a\0
  g READ
g@1 READ d\0
  g ERROR ENOSPC\0
g@1 TRANSACTION_END T\0
  g ERROR ENOMEM\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 READ /local/domain/5/a\0
  a READ
a@1 READ /local/domain/5/b\0
  a READ
a@1 READ /local/domain/5/c\0
  a READ
a@1 READ /local/domain/5/d\0
  a ERROR ENOENT\0
a@1 TRANSACTION_END T\0
  a TRANSACTION_END OK\0

=== memory quota: a node that would pass the hard limit fails (EIO from the write path)
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
quota memory 100
g MKDIR x\0
  g MKDIR OK\0
g MKDIR y\0
  g ERROR EIO\0
g READ y\0
  g ERROR ENOENT\0
quota memory 2621440
g MKDIR y\0
  g MKDIR OK\0

=== path-max applies to everybody, beyond the /local/domain/<N>/ prefix
connect a 0
connect g 5
quota path-max 10
a WRITE /123456789\0x
  a WRITE OK\0
a WRITE /1234567890\0x
  a ERROR EINVAL\0
a WRITE /local/domain/5/123456789\0x
  a WRITE OK\0
a WRITE /local/domain/5/1234567890\0x
  a WRITE OK\0
a WRITE /local/domain/5/12345678901\0x
  a ERROR EINVAL\0
a WRITE rel/6789012\0x
  a ERROR EINVAL\0
a WRITE rel/678901\0x
  a WRITE OK\0
