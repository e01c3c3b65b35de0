# Node operations (xen-pv-protocols.md §1.2, §1.4). Payloads: \0 is NUL.

=== initial tree is /, /tool, /tool/xenstored, all n0
connect a 0
a DIRECTORY /\0
  a DIRECTORY tool\0
a DIRECTORY /tool\0
  a DIRECTORY xenstored\0
a DIRECTORY /tool/xenstored\0
  a DIRECTORY
a GET_PERMS /tool/xenstored\0
  a GET_PERMS n0\0
a READ /tool\0
  a READ

=== write creates parents with empty values, children in creation order
connect a 0
a WRITE /p/q/r\0v
  a WRITE OK\0
a READ /p\0
  a READ
a READ /p/q/r\0
  a READ v
a WRITE /p/b\0x
  a WRITE OK\0
a WRITE /p/a\0x
  a WRITE OK\0
a DIRECTORY /p\0
  a DIRECTORY q\0b\0a\0
a WRITE /p/b\0overwritten
  a WRITE OK\0
a DIRECTORY /p\0
  a DIRECTORY q\0b\0a\0
a READ /p/b\0
  a READ overwritten

=== binary values round-trip byte for byte
connect a 0
a WRITE /bin\0a\0b\0c
  a WRITE OK\0
a READ /bin\0
  a READ a\0b\0c
a WRITE /bin\0\x00\xff\x80\x01\0
  a WRITE OK\0
a READ /bin\0
  a READ \0\xff\x80\x01\0
a WRITE /empty\0
  a WRITE OK\0
a READ /empty\0
  a READ

=== write needs a NUL after the path; extra strings are part of the value
connect a 0
a WRITE /nonul
  a ERROR EINVAL\0
a WRITE \0v
  a ERROR EINVAL\0
a WRITE /two\0x\0y\0
  a WRITE OK\0
a READ /two\0
  a READ x\0y\0

=== mkdir: creates, existing node is OK (no event), keeps value
connect a 0
a WATCH /m\0t\0
  a WATCH OK\0
  a WATCH_EVENT /m\0t\0
a MKDIR /m/n\0
  a WATCH_EVENT /m/n\0t\0
  a MKDIR OK\0
a WRITE /m/n\0val
  a WATCH_EVENT /m/n\0t\0
  a WRITE OK\0
a MKDIR /m/n\0
  a MKDIR OK\0
a READ /m/n\0
  a READ val

=== rm: recursive, missing node with existing parent OK, missing parent ENOENT, root EINVAL
connect a 0
a WRITE /r/s/t\0v
  a WRITE OK\0
a RM /r/s\0
  a RM OK\0
a READ /r/s/t\0
  a ERROR ENOENT\0
a DIRECTORY /r\0
  a DIRECTORY
a RM /r/s\0
  a RM OK\0
a RM /r/s/t\0
  a ERROR ENOENT\0
a RM /\0
  a ERROR EINVAL\0
a RM /r\0
  a RM OK\0
a DIRECTORY /\0
  a DIRECTORY tool\0

=== path validation: chars, //, trailing /, @ allowed inside
connect a 0
a READ /a//b\0
  a ERROR EINVAL\0
a READ /a/\0
  a ERROR EINVAL\0
a READ /a b\0
  a ERROR EINVAL\0
a READ /a.b\0
  a ERROR EINVAL\0
a WRITE /x@y-_Z9\0ok
  a WRITE OK\0
a READ /x@y-_Z9\0
  a READ ok
a READ @introduceDomain\0
  a ERROR EINVAL\0
a GET_PERMS @releaseDomain\0
  a ERROR EINVAL\0
a DIRECTORY @foo\0
  a ERROR EINVAL\0
a READ \0
  a ERROR EINVAL\0

=== relative paths resolve under /local/domain/0 for socket clients
connect a 0
a WRITE rel/x\0v
  a WRITE OK\0
a READ /local/domain/0/rel/x\0
  a READ v
a DIRECTORY /local/domain/0\0
  a DIRECTORY rel\0
a GET_DOMAIN_PATH 0\0
  a GET_DOMAIN_PATH /local/domain/0\0

=== relative paths of a domain resolve under its own /local/domain/<N>
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g WRITE data/k\0v
  g WRITE OK\0
a READ /local/domain/5/data/k\0
  a READ v
g READ /local/domain/5/data/k\0
  g READ v
g DIRECTORY data\0
  g DIRECTORY k\0

=== get_perms of new nodes: n0 for dom0 writes
connect a 0
a WRITE /t/x\0v
  a WRITE OK\0
a GET_PERMS /t/x\0
  a GET_PERMS n0\0
a GET_PERMS /t\0
  a GET_PERMS n0\0
a GET_PERMS /\0
  a GET_PERMS n0\0

=== unknown and client-only types are ENOSYS, also 20 and 23-26
connect a 0
a 20 \0
  a ERROR ENOSYS\0
a 23 \0
  a ERROR ENOSYS\0
a 26 \0
  a ERROR ENOSYS\0
a 99 \0
  a ERROR ENOSYS\0
a 4294967295 \0
  a ERROR ENOSYS\0
a WATCH_EVENT /x\0t\0
  a ERROR ENOSYS\0
a ERROR EINVAL\0
  a ERROR ENOSYS\0

=== unknown tx id: ENOENT (echoing tx id), checked before arguments
connect a 0
a@12345 READ /t\0
  a ERROR ENOENT\0
a@7 WRITE /nonul
  a ERROR ENOENT\0
a@7 TRANSACTION_END X\0
  a ERROR ENOENT\0
a@7 WATCH /w\0t\0
  a WATCH OK\0
  a WATCH_EVENT /w\0t\0
a@7 UNWATCH /w\0t\0
  a UNWATCH OK\0

=== directory_part byte offsets and gencnt (§1.8)
connect a 0
a WRITE /d/other\0x
  a WRITE OK\0
a DIRECTORY_PART /d\00\0
  a DIRECTORY_PART 5\0other\0\0
a DIRECTORY_PART /d\02\0
  a DIRECTORY_PART 5\0her\0\0
a DIRECTORY_PART /d\05\0
  a DIRECTORY_PART 5\0\0\0
a DIRECTORY_PART /d\06\0
  a DIRECTORY_PART 5\0\0
a DIRECTORY_PART /d\0999\0
  a DIRECTORY_PART 5\0\0
a DIRECTORY_PART /d\0-1\0
  a DIRECTORY_PART 5\0\0
a DIRECTORY_PART /d/other\00\0
  a DIRECTORY_PART 4\0\0
a DIRECTORY_PART /d\0
  a ERROR EINVAL\0
a DIRECTORY_PART /d\00\0x\0
  a ERROR EINVAL\0
a DIRECTORY_PART /nope\00\0
  a ERROR ENOENT\0
a WRITE /d/second\0x
  a WRITE OK\0
a DIRECTORY_PART /d\00\0
  a DIRECTORY_PART 8\0other\0second\0\0
a DIRECTORY_PART /d\06\0
  a DIRECTORY_PART 8\0second\0\0
