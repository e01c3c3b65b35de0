# Domain requests (xen-pv-protocols.md §1.2, xenstored_domain.c).

=== introduce, is_domain_introduced, resume, release and their argument checks
connect a 0
a IS_DOMAIN_INTRODUCED 5\0
  a IS_DOMAIN_INTRODUCED F\0
a INTRODUCE 5\012345\01\0
  a INTRODUCE OK\0
a IS_DOMAIN_INTRODUCED 5\0
  a IS_DOMAIN_INTRODUCED T\0
a IS_DOMAIN_INTRODUCED 0\0
  a IS_DOMAIN_INTRODUCED T\0
a IS_DOMAIN_INTRODUCED 32752\0
  a IS_DOMAIN_INTRODUCED T\0
a IS_DOMAIN_INTRODUCED 5
  a ERROR EINVAL\0
a INTRODUCE 6\00\00\0
  a ERROR EINVAL\0
a INTRODUCE 6\00\0
  a ERROR EINVAL\0
a INTRODUCE 6\00\0-1\0
  a INTRODUCE OK\0
a RESUME 5\0
  a RESUME OK\0
a RESUME 0\0
  a ERROR EINVAL\0
a RESUME 4\0
  a ERROR ENOENT\0
a RELEASE 0\0
  a ERROR EINVAL\0
a RELEASE abc\0
  a ERROR EINVAL\0
a RELEASE 4\0
  a ERROR ENOENT\0
a RELEASE 5
  a ERROR EINVAL\0
a RELEASE 5\0
  a RELEASE OK\0
a IS_DOMAIN_INTRODUCED 5\0
  a IS_DOMAIN_INTRODUCED F\0
a RELEASE 5\0
  a ERROR ENOENT\0
a GET_DOMAIN_PATH -1\0
  a GET_DOMAIN_PATH /local/domain/4294967295\0
a GET_DOMAIN_PATH 5
  a ERROR EINVAL\0

=== privileged-only requests from an unprivileged domain are EACCES, before the tx lookup
connect g 5
g INTRODUCE 6\00\01\0
  g ERROR EACCES\0
g RELEASE 6\0
  g ERROR EACCES\0
g RESUME 6\0
  g ERROR EACCES\0
g IS_DOMAIN_INTRODUCED 0\0
  g ERROR EACCES\0
g SET_TARGET 5\06\0
  g ERROR EACCES\0
g CONTROL help\0
  g ERROR EACCES\0
g@99 CONTROL help\0
  g ERROR EACCES\0
g@99 READ /\0
  g ERROR ENOENT\0
g GET_DOMAIN_PATH 0\0
  g GET_DOMAIN_PATH /local/domain/0\0
g GET_DOMAIN_PATH x\0
  g GET_DOMAIN_PATH /local/domain/0\0

=== a privileged domain (--priv-domid style) has dom0 rights and its own relative root
connect a 0
connect p 7 priv
p WRITE x\0v
  p WRITE OK\0
p GET_PERMS x\0
  p GET_PERMS n0\0
a READ /local/domain/7/x\0
  a READ v
p IS_DOMAIN_INTRODUCED 7\0
  p IS_DOMAIN_INTRODUCED T\0
p READ /tool/xenstored\0
  p READ
p CONTROL print\0hi\0
  p CONTROL OK\0

=== introduced domain talks through the connection made by INTRODUCE
connect a 0
a WATCH @introduceDomain\0i\0
  a WATCH OK\0
  a WATCH_EVENT @introduceDomain\0i\0
a INTRODUCE 5\00\01\0
  a WATCH_EVENT @introduceDomain\0i\0
  a INTRODUCE OK\0
attach g 5
g GET_DOMAIN_PATH 5\0
  g GET_DOMAIN_PATH /local/domain/5\0
g READ /\0
  g ERROR EACCES\0
a INTRODUCE 0\00\01\0
  a INTRODUCE OK\0

=== re-INTRODUCE of an introduced domain resets its watches and transactions (no event)
connect a 0
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a INTRODUCE 5\00\01\0
  a INTRODUCE OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
attach g 5
g WATCH /local/domain/5\0t\0
  g WATCH OK\0
  g WATCH_EVENT /local/domain/5\0t\0
g TRANSACTION_START \0
  g TRANSACTION_START 1\0
a WATCH @introduceDomain\0i\0
  a WATCH OK\0
  a WATCH_EVENT @introduceDomain\0i\0
a INTRODUCE 5\00\02\0
  a INTRODUCE OK\0
g@1 READ /local/domain/5\0
  g ERROR ENOENT\0
a WRITE /local/domain/5\0x
  a WRITE OK\0

=== RELEASE deletes the nodes the domain owns, then fires @releaseDomain (XSA-419)
connect a 0
connect b 0
a INTRODUCE 5\00\01\0
  a INTRODUCE OK\0
attach g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g WRITE data/x\0v
  g WRITE OK\0
a WRITE /shared/g\0owned-by-5
  a WRITE OK\0
a SET_PERMS /shared/g\0n5\0
  a SET_PERMS OK\0
a WRITE /shared/keep\0dom0
  a WRITE OK\0
b WATCH /local/domain\0tl\0
  b WATCH OK\0
  b WATCH_EVENT /local/domain\0tl\0
b WATCH /shared\0ts\0
  b WATCH OK\0
  b WATCH_EVENT /shared\0ts\0
b WATCH @releaseDomain\0tr\0
  b WATCH OK\0
  b WATCH_EVENT @releaseDomain\0tr\0
a RELEASE 5\0
  a RELEASE OK\0
  b WATCH_EVENT /local/domain/5\0tl\0
  b WATCH_EVENT /shared/g\0ts\0
  b WATCH_EVENT @releaseDomain\0tr\0
a READ /local/domain/5/data/x\0
  a ERROR ENOENT\0
a DIRECTORY /shared\0
  a DIRECTORY keep\0
a DIRECTORY /local/domain\0
  a DIRECTORY
g READ /\0

=== a reused domid does not inherit old permission entries (XSA-322)
connect a 0
a INTRODUCE 5\00\01\0
  a INTRODUCE OK\0
attach g 5
a WRITE /shared\0s
  a WRITE OK\0
a SET_PERMS /shared\0n0\0r5\0
  a SET_PERMS OK\0
g READ /shared\0
  g READ s
a RELEASE 5\0
  a RELEASE OK\0
a MKDIR /after-release\0
  a MKDIR OK\0
a INTRODUCE 5\00\01\0
  a INTRODUCE OK\0
attach g2 5
g2 READ /shared\0
  g2 ERROR EACCES\0
a GET_PERMS /shared\0
  a GET_PERMS n0\0r5\0
a SET_PERMS /shared\0n0\0r5\0
  a SET_PERMS OK\0
g2 READ /shared\0
  g2 READ s

=== check_domains: shutdown fires @releaseDomain once; a dying domain is destroyed
connect a 0
connect g 5
a WATCH @releaseDomain\0r\0
  a WATCH OK\0
  a WATCH_EVENT @releaseDomain\0r\0
checkdomains
platform-shutdown 5
checkdomains
  a WATCH_EVENT @releaseDomain\0r\0
checkdomains
platform-kill 5
checkdomains
  a WATCH_EVENT @releaseDomain\0r\0
a IS_DOMAIN_INTRODUCED 5\0
  a IS_DOMAIN_INTRODUCED F\0
g READ /\0

=== closing a domain connection destroys the domain like a dying one
connect a 0
connect g 5
a WATCH @releaseDomain\0r\0
  a WATCH OK\0
  a WATCH_EVENT @releaseDomain\0r\0
close g
  a WATCH_EVENT @releaseDomain\0r\0
a IS_DOMAIN_INTRODUCED 5\0
  a IS_DOMAIN_INTRODUCED F\0

=== a misbehaving domain is ignored without @releaseDomain until it is destroyed (XSA-325)
connect a 0
connect g 5
a WATCH @releaseDomain\0r\0
  a WATCH OK\0
  a WATCH_EVENT @releaseDomain\0r\0
g WATCH /\0gw\0
  g WATCH OK\0
  g WATCH_EVENT /\0gw\0
protoerr g
g READ /\0
a IS_DOMAIN_INTRODUCED 5\0
  a IS_DOMAIN_INTRODUCED T\0
a RELEASE 5\0
  a RELEASE OK\0
  a WATCH_EVENT @releaseDomain\0r\0

=== RELEASE of the connection right after the requester takes effect after the reply (talloc reference)
# cxenstored's main loop holds a reference on the next connection while processing one, so the domain
# is destroyed (and @releaseDomain queued) only after the RELEASE reply.
connect a 0
connect g 5
a WATCH @releaseDomain\0r\0
  a WATCH OK\0
  a WATCH_EVENT @releaseDomain\0r\0
a RELEASE 5\0
  a RELEASE OK\0
  a WATCH_EVENT @releaseDomain\0r\0

=== RELEASE of a connection further away in the list fires @releaseDomain before the reply
connect a 0
connect b 0
connect g 5
a WATCH @releaseDomain\0r\0
  a WATCH OK\0
  a WATCH_EVENT @releaseDomain\0r\0
a RELEASE 5\0
  a WATCH_EVENT @releaseDomain\0r\0
  a RELEASE OK\0
b RELEASE 6\0
  b ERROR ENOENT\0

=== a socket client with a framing error is dropped
connect a 0
connect c 0
c WATCH /x\0t\0
  c WATCH OK\0
  c WATCH_EVENT /x\0t\0
protoerr c
a WRITE /x\0v
  a WRITE OK\0
c READ /\0
