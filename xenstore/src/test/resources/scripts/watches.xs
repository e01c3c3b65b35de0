# Watches (xen-pv-protocols.md §1.7).

=== watch: OK then the initial event, even for a missing path; duplicates EEXIST; same path other token OK
connect a 0
a WATCH /nowhere\0t1\0
  a WATCH OK\0
  a WATCH_EVENT /nowhere\0t1\0
a WATCH /nowhere\0t1\0
  a ERROR EEXIST\0
a WATCH /nowhere\0t2\0
  a WATCH OK\0
  a WATCH_EVENT /nowhere\0t2\0

=== watch argument checks
connect a 0
a WATCH /w\0tok\0depth\0
  a ERROR EINVAL\0
a WATCH /w\0
  a ERROR EINVAL\0
a WATCH /w\0tok
  a ERROR EINVAL\0
a WATCH /w\0tok\0trailing-without-nul
  a WATCH OK\0
  a WATCH_EVENT /w\0tok\0
a WATCH /bad//path\0t\0
  a ERROR EINVAL\0
a WATCH /w/\0t\0
  a ERROR EINVAL\0
a WATCH @anything\0t\0
  a WATCH OK\0
  a WATCH_EVENT @anything\0t\0
a WATCH \0t\0
  a ERROR EINVAL\0

=== unwatch: exact pair only; ENOENT otherwise; relative names canonicalised
connect a 0
a WATCH /u\0t\0
  a WATCH OK\0
  a WATCH_EVENT /u\0t\0
a UNWATCH /u\0other\0
  a ERROR ENOENT\0
a UNWATCH /u\0t\0
  a UNWATCH OK\0
a UNWATCH /u\0t\0
  a ERROR ENOENT\0
a WATCH rel\0t\0
  a WATCH OK\0
  a WATCH_EVENT rel\0t\0
a UNWATCH /local/domain/0/rel\0t\0
  a UNWATCH OK\0
a UNWATCH /u\0
  a ERROR EINVAL\0
a WRITE /u\0x
  a WRITE OK\0

=== own-write event precedes the reply; other connections get theirs after the writer's reply
connect a 0
connect b 0
a WATCH /t\0ta\0
  a WATCH OK\0
  a WATCH_EVENT /t\0ta\0
b WATCH /t\0tb\0
  b WATCH OK\0
  b WATCH_EVENT /t\0tb\0
a WRITE /t/x\0v
  a WATCH_EVENT /t/x\0ta\0
  a WRITE OK\0
  b WATCH_EVENT /t/x\0tb\0
b WRITE /t\0w
  a WATCH_EVENT /t\0ta\0
  b WATCH_EVENT /t\0tb\0
  b WRITE OK\0

=== one event per modified path; implicitly created parents get none; ancestors and / match
connect a 0
connect b 0
b WATCH /\0root\0
  b WATCH OK\0
  b WATCH_EVENT /\0root\0
b WATCH /p\0p\0
  b WATCH OK\0
  b WATCH_EVENT /p\0p\0
b WATCH /p/q\0q\0
  b WATCH OK\0
  b WATCH_EVENT /p/q\0q\0
b WATCH /p/q/r/s\0s\0
  b WATCH OK\0
  b WATCH_EVENT /p/q/r/s\0s\0
b WATCH /px\0px\0
  b WATCH OK\0
  b WATCH_EVENT /px\0px\0
a WRITE /p/q/r\0v
  a WRITE OK\0
  b WATCH_EVENT /p/q/r\0root\0
  b WATCH_EVENT /p/q/r\0p\0
  b WATCH_EVENT /p/q/r\0q\0

=== identical pending events for one connection are sent once
connect a 0
connect b 0
b WATCH /d\0same\0
  b WATCH OK\0
  b WATCH_EVENT /d\0same\0
b WATCH /d/e\0same\0
  b WATCH OK\0
  b WATCH_EVENT /d/e\0same\0
a WRITE /d/e\0v
  a WRITE OK\0
  b WATCH_EVENT /d/e\0same\0

=== rm: root and ancestors get the removed root, exact watches on deleted descendants their path, never-existing paths nothing
connect a 0
connect b 0
a WRITE /r/d/e\0v
  a WRITE OK\0
b WATCH /r/d/e\0te\0
  b WATCH OK\0
  b WATCH_EVENT /r/d/e\0te\0
b WATCH /r\0tr\0
  b WATCH OK\0
  b WATCH_EVENT /r\0tr\0
b WATCH /\0troot\0
  b WATCH OK\0
  b WATCH_EVENT /\0troot\0
b WATCH /r/d\0td\0
  b WATCH OK\0
  b WATCH_EVENT /r/d\0td\0
b WATCH /r/d/never\0tn\0
  b WATCH OK\0
  b WATCH_EVENT /r/d/never\0tn\0
a RM /r/d\0
  a RM OK\0
  b WATCH_EVENT /r/d/e\0te\0
  b WATCH_EVENT /r/d\0tr\0
  b WATCH_EVENT /r/d\0troot\0
  b WATCH_EVENT /r/d\0td\0
a RM /r/d\0
  a RM OK\0

=== relative watch gets relative event paths
connect a 0
connect g 5
a MKDIR /local/domain/5\0
  a MKDIR OK\0
a SET_PERMS /local/domain/5\0n5\0
  a SET_PERMS OK\0
g WATCH data\0tok\0
  g WATCH OK\0
  g WATCH_EVENT data\0tok\0
a WRITE /local/domain/5/data/x\0v
  a WRITE OK\0
  g WATCH_EVENT data/x\0tok\0
g WRITE data\0own
  g WATCH_EVENT data\0tok\0
  g WRITE OK\0
g WATCH /local/domain/5/data\0abs\0
  g WATCH OK\0
  g WATCH_EVENT /local/domain/5/data\0abs\0
a RM /local/domain/5/data\0
  a RM OK\0
  g WATCH_EVENT data\0tok\0
  g WATCH_EVENT /local/domain/5/data\0abs\0

=== events are filtered by read permission of node or parent, old perms count (XSA-115)
connect a 0
connect g 5
a WRITE /secret\0x
  a WRITE OK\0
g WATCH /secret\0t\0
  g WATCH OK\0
  g WATCH_EVENT /secret\0t\0
a WRITE /secret\0y
  a WRITE OK\0
a WRITE /local/domain/5/pub\0v
  a WRITE OK\0
a SET_PERMS /local/domain/5/pub\0n0\0r5\0
  a SET_PERMS OK\0
g WATCH /local/domain/5/pub\0p\0
  g WATCH OK\0
  g WATCH_EVENT /local/domain/5/pub\0p\0
a WRITE /local/domain/5/pub\0w
  a WRITE OK\0
  g WATCH_EVENT /local/domain/5/pub\0p\0
a WRITE /local/domain/5/pub/child\0c
  a WRITE OK\0
  g WATCH_EVENT /local/domain/5/pub/child\0p\0
a SET_PERMS /local/domain/5/pub\0n0\0
  a SET_PERMS OK\0
  g WATCH_EVENT /local/domain/5/pub\0p\0
a WRITE /local/domain/5/pub\0z
  a WRITE OK\0
a SET_PERMS /local/domain/5/pub\0n0\0r5\0
  a SET_PERMS OK\0
  g WATCH_EVENT /local/domain/5/pub\0p\0

=== special watches: initial event always; later events only to privileged or permitted connections
connect a 0
connect g 5
a WATCH @introduceDomain\0ai\0
  a WATCH OK\0
  a WATCH_EVENT @introduceDomain\0ai\0
g WATCH @introduceDomain\0gi\0
  g WATCH OK\0
  g WATCH_EVENT @introduceDomain\0gi\0
g WATCH @releaseDomain\0gr\0
  g WATCH OK\0
  g WATCH_EVENT @releaseDomain\0gr\0
a INTRODUCE 7\00\01\0
  a WATCH_EVENT @introduceDomain\0ai\0
  a INTRODUCE OK\0
a SET_PERMS @introduceDomain\0n0\0r5\0
  a SET_PERMS OK\0
a INTRODUCE 8\00\01\0
  a WATCH_EVENT @introduceDomain\0ai\0
  a INTRODUCE OK\0
  g WATCH_EVENT @introduceDomain\0gi\0
a RELEASE 7\0
  a RELEASE OK\0
a SET_PERMS @releaseDomain\0n5\0
  a SET_PERMS OK\0
a RELEASE 8\0
  a RELEASE OK\0
  g WATCH_EVENT @releaseDomain\0gr\0

=== reset_watches drops all of the caller's watches (and only the caller's)
connect a 0
connect b 0
a WATCH /w\0one\0
  a WATCH OK\0
  a WATCH_EVENT /w\0one\0
a WATCH /w\0two\0
  a WATCH OK\0
  a WATCH_EVENT /w\0two\0
b WATCH /w\0b\0
  b WATCH OK\0
  b WATCH_EVENT /w\0b\0
a RESET_WATCHES \0
  a RESET_WATCHES OK\0
a WRITE /w\0x
  a WRITE OK\0
  b WATCH_EVENT /w\0b\0
a UNWATCH /w\0one\0
  a ERROR ENOENT\0
a WATCH /w\0one\0
  a WATCH OK\0
  a WATCH_EVENT /w\0one\0

=== watch events for a closed connection vanish with it
connect a 0
connect b 0
b WATCH /c\0t\0
  b WATCH OK\0
  b WATCH_EVENT /c\0t\0
close b
a WRITE /c\0x
  a WRITE OK\0
