# cxenstored 4.17 answers some malformed requests with the errno left by an earlier operation
# (xen-pv-protocols.md §1.11 "READ without NUL -> ENOENT (stale errno)").

=== READ/DIRECTORY/GET_PERMS without NUL answer the errno of the previous failed lookup
connect a 0
a READ /missing\0
  a ERROR ENOENT\0
a READ /missing
  a ERROR ENOENT\0
a READ /a//b\0
  a ERROR EINVAL\0
a READ /missing
  a ERROR EINVAL\0
a DIRECTORY /x
  a ERROR EINVAL\0
a GET_PERMS /x
  a ERROR EINVAL\0

=== a fresh daemon answers ENOENT
connect a 0
a READ /x
  a ERROR ENOENT\0

=== MKDIR and RM without NUL answer ENOMEM after an ENOENT
connect a 0
a READ /missing\0
  a ERROR ENOENT\0
a MKDIR /m
  a ERROR ENOMEM\0
a RM /m
  a ERROR ENOMEM\0
a READ /a//b\0
  a ERROR EINVAL\0
a MKDIR /m
  a ERROR EINVAL\0

=== errno 0 after a successful RM or WATCH: cxenstored 4.17 would abort, this daemon answers EINVAL
connect a 0
a WRITE /r\0v
  a WRITE OK\0
a RM /r\0
  a RM OK\0
a READ /r
  a ERROR EINVAL\0
a WATCH /w\0t\0
  a WATCH OK\0
  a WATCH_EVENT /w\0t\0
a DIRECTORY /
  a ERROR EINVAL\0
a WRITE /created\0v
  a WRITE OK\0
a READ /created
  a ERROR ENOENT\0

=== SET_PERMS on a special node reports the stale errno instead of its own refusal
connect a 0
connect g 5
a READ /missing\0
  a ERROR ENOENT\0
g SET_PERMS @introduceDomain\0n5\0
  g ERROR ENOENT\0
a READ /a//b\0
  a ERROR EINVAL\0
g SET_PERMS @introduceDomain\0n5\0
  g ERROR EINVAL\0
a SET_PERMS @bogus\0n0\0
  a ERROR EINVAL\0
a READ /missing\0
  a ERROR ENOENT\0
a SET_PERMS @bogus\0n0\0
  a ERROR ENOENT\0

=== WRITE of an existing node over the memory quota answers the stale errno too
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g WRITE k\0v
  g WRITE OK\0
quota memory 100
g READ /local/domain/5/nothing\0
  g ERROR ENOENT\0
g WRITE k\0a-longer-value-that-does-not-fit-the-quota
  g ERROR ENOENT\0

=== a domid reintroduced without any store change since the entry was written still matches it
# The new domain takes the current global generation without incrementing it, and an entry is only
# ignored when the domain is younger than the node; the toolstack always writes in between in practice.
connect a 0
a INTRODUCE 5\00\01\0
  a INTRODUCE OK\0
a WRITE /shared\0s
  a WRITE OK\0
a SET_PERMS /shared\0n0\0r5\0
  a SET_PERMS OK\0
a RELEASE 5\0
  a RELEASE OK\0
a INTRODUCE 5\00\01\0
  a INTRODUCE OK\0
attach g 5
g READ /shared\0
  g READ s
