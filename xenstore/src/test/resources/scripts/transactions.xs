# Transactions (xen-pv-protocols.md §1.6; cxenstored 4.17 generation scheme).

=== ids count from 1 per connection; nesting EBUSY; payload of START ignored
connect a 0
connect b 0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a TRANSACTION_START anything
  a TRANSACTION_START 2\0
b TRANSACTION_START \0
  b TRANSACTION_START 1\0
a@2 TRANSACTION_START \0
  a ERROR EBUSY\0
b@2 TRANSACTION_START \0
  b ERROR ENOENT\0
a@1 TRANSACTION_END F\0
  a TRANSACTION_END OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 3\0
a@1 READ /\0
  a ERROR ENOENT\0

=== end: argument checked first (EINVAL), then the transaction (ENOENT)
connect a 0
a TRANSACTION_END X\0
  a ERROR EINVAL\0
a TRANSACTION_END T\0
  a ERROR ENOENT\0
a TRANSACTION_END F\0
  a ERROR ENOENT\0
a TRANSACTION_END T
  a ERROR EINVAL\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 TRANSACTION_END TT\0
  a ERROR EINVAL\0
a@1 TRANSACTION_END \0
  a ERROR EINVAL\0
a@1 TRANSACTION_END T\0
  a TRANSACTION_END OK\0
a@1 TRANSACTION_END T\0
  a ERROR ENOENT\0

=== writes are invisible outside until commit; events fire at commit, own events before the reply
connect a 0
connect b 0
a WATCH /t\0ta\0
  a WATCH OK\0
  a WATCH_EVENT /t\0ta\0
b WATCH /t\0tb\0
  b WATCH OK\0
  b WATCH_EVENT /t\0tb\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WRITE /t/x\0v
  a WRITE OK\0
a@1 READ /t/x\0
  a READ v
b READ /t/x\0
  b ERROR ENOENT\0
a READ /t/x\0
  a ERROR ENOENT\0
a@1 WRITE /t/y\0w
  a WRITE OK\0
a@1 TRANSACTION_END T\0
  a WATCH_EVENT /t/x\0ta\0
  a WATCH_EVENT /t/y\0ta\0
  a TRANSACTION_END OK\0
  b WATCH_EVENT /t/x\0tb\0
  b WATCH_EVENT /t/y\0tb\0
b READ /t/y\0
  b READ w

=== abort discards writes and events
connect a 0
connect b 0
b WATCH /t\0tb\0
  b WATCH OK\0
  b WATCH_EVENT /t\0tb\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WRITE /t/x\0v
  a WRITE OK\0
a@1 TRANSACTION_END F\0
  a TRANSACTION_END OK\0
a READ /t/x\0
  a ERROR ENOENT\0

=== conflict: a node read in the transaction was changed outside -> EAGAIN
connect a 0
connect b 0
a WRITE /t\0old
  a WRITE OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 READ /t\0
  a READ old
b WRITE /t\0new
  b WRITE OK\0
a@1 WRITE /u\0x
  a WRITE OK\0
a@1 TRANSACTION_END T\0
  a ERROR EAGAIN\0
a READ /u\0
  a ERROR ENOENT\0

=== conflict: a node read in the transaction was deleted outside -> EAGAIN
connect a 0
connect b 0
a WRITE /t\0old
  a WRITE OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 READ /t\0
  a READ old
b RM /t\0
  b RM OK\0
a@1 TRANSACTION_END T\0
  a ERROR EAGAIN\0

=== no conflict: reads see current state, a node changed before the first read is fine
connect a 0
connect b 0
a WRITE /t\0old
  a WRITE OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
b WRITE /t\0new
  b WRITE OK\0
a@1 READ /t\0
  a READ new
a@1 WRITE /t\0mine
  a WRITE OK\0
a@1 TRANSACTION_END T\0
  a TRANSACTION_END OK\0
a READ /t\0
  a READ mine

=== a node created outside before the transaction writes it commits (pyxs commit_retry case)
connect a 0
connect b 0
a MKDIR /foo\0
  a MKDIR OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
b WRITE /foo/bar\0outside
  b WRITE OK\0
a@1 WRITE /foo/bar\0inside
  a WRITE OK\0
a@1 TRANSACTION_END T\0
  a TRANSACTION_END OK\0
a READ /foo/bar\0
  a READ inside

=== creating a child reads the parent: a sibling created outside aborts the transaction
connect a 0
connect b 0
a MKDIR /t\0
  a MKDIR OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WRITE /t/r\0x
  a WRITE OK\0
b WRITE /t/other\0y
  b WRITE OK\0
a@1 TRANSACTION_END T\0
  a ERROR EAGAIN\0

=== a missing node read in the transaction and created outside conflicts
connect a 0
connect b 0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 READ /n\0
  a ERROR ENOENT\0
b WRITE /n\0y
  b WRITE OK\0
a@1 TRANSACTION_END T\0
  a ERROR EAGAIN\0

=== rm in a transaction: invisible until commit; at commit events follow first-access order
connect a 0
connect b 0
a WRITE /r/s/t\0v
  a WRITE OK\0
b WATCH /r\0tr\0
  b WATCH OK\0
  b WATCH_EVENT /r\0tr\0
b WATCH /r/s/t\0tt\0
  b WATCH OK\0
  b WATCH_EVENT /r/s/t\0tt\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 RM /r/s\0
  a RM OK\0
a@1 READ /r/s/t\0
  a ERROR ENOENT\0
b READ /r/s/t\0
  b READ v
a@1 TRANSACTION_END T\0
  a TRANSACTION_END OK\0
  b WATCH_EVENT /r/s\0tr\0
  b WATCH_EVENT /r/s/t\0tt\0
a READ /r/s\0
  a ERROR ENOENT\0
a DIRECTORY /r\0
  a DIRECTORY

=== create and delete in one transaction: nothing left, no events (XSA-421)
connect a 0
connect b 0
b WATCH /\0all\0
  b WATCH OK\0
  b WATCH_EVENT /\0all\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WRITE /tmp/x\0v
  a WRITE OK\0
a@1 RM /tmp\0
  a RM OK\0
a@1 TRANSACTION_END T\0
  a TRANSACTION_END OK\0
a DIRECTORY /\0
  a DIRECTORY tool\0

=== directory and directory_part inside a transaction see its own changes
connect a 0
a MKDIR /d\0
  a MKDIR OK\0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WRITE /d/new\0v
  a WRITE OK\0
a@1 DIRECTORY /d\0
  a DIRECTORY new\0
a@1 DIRECTORY_PART /d\00\0
  a DIRECTORY_PART 8\0new\0\0
a DIRECTORY_PART /d\00\0
  a DIRECTORY_PART 4\0\0

=== watch and unwatch ignore the transaction id; reset_watches inside a transaction ends it (XSA-484)
connect a 0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WATCH /w\0t\0
  a WATCH OK\0
  a WATCH_EVENT /w\0t\0
a@1 WRITE /w\0x
  a WRITE OK\0
a@1 RESET_WATCHES \0
  a RESET_WATCHES OK\0
a@1 READ /w\0
  a ERROR ENOENT\0
a@1 TRANSACTION_END T\0
  a ERROR ENOENT\0
a READ /w\0
  a ERROR ENOENT\0
a TRANSACTION_START \0
  a TRANSACTION_START 2\0

=== transaction of another connection is unknown
connect a 0
connect b 0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
b@1 READ /\0
  b ERROR ENOENT\0
b@1 TRANSACTION_END T\0
  b ERROR ENOENT\0

=== closing a connection drops its transactions
connect a 0
connect b 0
a TRANSACTION_START \0
  a TRANSACTION_START 1\0
a@1 WRITE /gone\0v
  a WRITE OK\0
close a
b READ /gone\0
  b ERROR ENOENT\0

=== unprivileged domain: transactions in its own tree
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g TRANSACTION_START \0
  g TRANSACTION_START 1\0
g@1 WRITE k\0v
  g WRITE OK\0
g@1 READ k\0
  g READ v
a READ /local/domain/5/k\0
  a ERROR ENOENT\0
g@1 WRITE /tool/x\0v
  g ERROR EACCES\0
g@1 TRANSACTION_END T\0
  g TRANSACTION_END OK\0
a GET_PERMS /local/domain/5/k\0
  a GET_PERMS n5\0
