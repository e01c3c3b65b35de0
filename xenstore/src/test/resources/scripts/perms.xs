# Permissions (xen-pv-protocols.md §1.5). Domain 5 ("g") and 6 ("h") are unprivileged ring connections.

=== new nodes inherit the parent's perms; an unprivileged creator becomes the owner
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n0\0b5\0
  a SET_PERMS OK\0
g WRITE sub/y\0z
  g WRITE OK\0
a GET_PERMS /local/domain/5/sub\0
  a GET_PERMS n5\0b5\0
a GET_PERMS /local/domain/5/sub/y\0
  a GET_PERMS n5\0b5\0
a WRITE /local/domain/5/sub/w\0dom0
  a WRITE OK\0
a GET_PERMS /local/domain/5/sub/w\0
  a GET_PERMS n5\0b5\0
a WRITE /local/domain/5/fromdom0\0x
  a WRITE OK\0
a GET_PERMS /local/domain/5/fromdom0\0
  a GET_PERMS n0\0b5\0

=== errno hiding: ENOENT only when the nearest existing ancestor grants the access
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n0\0r5\0
  a SET_PERMS OK\0
g READ /local/domain/5/missing\0
  g ERROR ENOENT\0
g READ /local/domain/5/missing/deeper\0
  g ERROR ENOENT\0
g WRITE /local/domain/5/missing\0x
  g ERROR EACCES\0
g READ /tool/missing\0
  g ERROR EACCES\0
g READ /tool/xenstored\0
  g ERROR EACCES\0
g READ /nonexistent/deeper\0
  g ERROR EACCES\0
g DIRECTORY /\0
  g ERROR EACCES\0
g RM /tool\0
  g ERROR EACCES\0
g MKDIR /x\0
  g ERROR EACCES\0
g READ /local/domain/5\0
  g READ
g WRITE /local/domain/5\0x
  g ERROR EACCES\0
a READ /local/domain/5/missing\0
  a ERROR ENOENT\0

=== read-only and write-only grants; default access from entry 0
connect a 0
connect g 5
connect h 6
a WRITE /s\0v
  a WRITE OK\0
a SET_PERMS /s\0r0\0w5\0
  a SET_PERMS OK\0
g READ /s\0
  g ERROR EACCES\0
g WRITE /s\0five
  g WRITE OK\0
h READ /s\0
  h READ five
h WRITE /s\0six
  h ERROR EACCES\0
a SET_PERMS /s\0n0\0b6\0
  a SET_PERMS OK\0
h WRITE /s\0six
  h WRITE OK\0
h READ /s\0
  h READ six
h SET_PERMS /s\0n0\0b6\0
  h ERROR EACCES\0

=== owner may change perms but not the owner (EPERM); dom0 may give nodes away
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g MKDIR own\0
  g MKDIR OK\0
g SET_PERMS own\0n5\0r0\0
  g SET_PERMS OK\0
g GET_PERMS own\0
  g GET_PERMS n5\0r0\0
g SET_PERMS own\0n0\0
  g ERROR EPERM\0
g SET_PERMS own\0b5\0
  g SET_PERMS OK\0
a SET_PERMS /local/domain/5/own\0n0\0
  a SET_PERMS OK\0
g GET_PERMS own\0
  g ERROR EACCES\0

=== set_perms argument checks come before the node lookup
connect a 0
a SET_PERMS /missing\0n0\0
  a ERROR ENOENT\0
a SET_PERMS /missing\0x1\0
  a ERROR EINVAL\0
a SET_PERMS /missing\0
  a ERROR EINVAL\0
a SET_PERMS /missing\0n\0
  a ERROR EINVAL\0
a SET_PERMS /missing\0n1x\0
  a ERROR EINVAL\0
a SET_PERMS /missing\0n 1\0
  a ERROR ENOENT\0
a SET_PERMS /missing\0n0
  a ERROR EINVAL\0
a WRITE /p\0v
  a WRITE OK\0
a SET_PERMS /p\0n0\0r1\0junk-after-last-nul
  a SET_PERMS OK\0
a GET_PERMS /p\0
  a GET_PERMS n0\0r1\0

=== perm numbers are parsed with strtol base 0 and printed with %i
connect a 0
a WRITE /p\0v
  a WRITE OK\0
a SET_PERMS /p\0n0x0\0r010\0w-1\0b+7\0
  a SET_PERMS OK\0
a GET_PERMS /p\0
  a GET_PERMS n0\0r8\0w-1\0b7\0

=== an owner that does not exist is ENOENT; other unknown domids are kept but ignored
connect a 0
connect g 5
a WRITE /p\0v
  a WRITE OK\0
a SET_PERMS /p\0n42\0
  a ERROR ENOENT\0
a SET_PERMS /p\0n0\0r42\0r5\0
  a SET_PERMS OK\0
a GET_PERMS /p\0
  a GET_PERMS n0\0r42\0r5\0
g READ /p\0
  g READ v
platform-create 42
a SET_PERMS /p\0n42\0
  a SET_PERMS OK\0
a GET_PERMS /p\0
  a GET_PERMS n42\0

=== SET_TARGET gives the target holder full access to the target's nodes
connect a 0
connect g 5
connect h 6
a WRITE /local/domain/6/data\0secret
  a WRITE OK\0
a SET_PERMS /local/domain/6/data\0n6\0
  a SET_PERMS OK\0
g READ /local/domain/6/data\0
  g ERROR EACCES\0
h READ /local/domain/6/data\0
  h READ secret
h SET_TARGET 5\06\0
  h ERROR EACCES\0
a SET_TARGET 5\06\0
  a SET_TARGET OK\0
g READ /local/domain/6/data\0
  g READ secret
g WRITE /local/domain/6/data\0changed
  g WRITE OK\0
g SET_PERMS /local/domain/6/data\0n6\0r5\0
  g SET_PERMS OK\0
g SET_PERMS /local/domain/6/data\0n5\0
  g ERROR EPERM\0
a SET_TARGET 5\099\0
  a ERROR ENOENT\0
a SET_TARGET 99\06\0
  a ERROR ENOENT\0
a SET_TARGET 5\0
  a ERROR EINVAL\0

=== special nodes: READ/GET_PERMS are EINVAL; SET_PERMS needs ownership
connect a 0
connect g 5
a SET_PERMS @introduceDomain\0n0\0r5\0
  a SET_PERMS OK\0
a SET_PERMS @releaseDomain\0n0\0r5\0
  a SET_PERMS OK\0
a READ @introduceDomain\0
  a ERROR EINVAL\0
a SET_PERMS @other\0n0\0
  a ERROR EINVAL\0
a SET_PERMS @introduceDomain\0x0\0
  a ERROR EINVAL\0

=== unprivileged perms quota: at most 5 entries
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g SET_PERMS /local/domain/5\0n5\0r0\0r0\0r0\0r0\0r0\0
  g ERROR ENOSPC\0
g SET_PERMS /local/domain/5\0n5\0r0\0r0\0r0\0r0\0
  g SET_PERMS OK\0
a SET_PERMS /local/domain/5\0n5\0r0\0r0\0r0\0r0\0r0\0r0\0r0\0
  a SET_PERMS OK\0
