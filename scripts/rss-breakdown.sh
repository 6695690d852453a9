#!/usr/bin/env bash
# Where a running process's resident memory is (issue 11 item 3): VmRSS split into RssAnon / RssFile /
# RssShmem, then per mapping group from /proc/PID/smaps (the binary, libswiftCore, the other Swift runtime
# libraries, the Foundation family, ICU, libdispatch, libc/libm/ld.so, OpenSSL, hiredis, the heap, thread
# libyaml, stacks, other anonymous memory), and the threads with their names and stack RSS. A thread's stack is
# found from the stack pointer in /proc/PID/task/TID/syscall (needs the same user or root).
#   scripts/rss-breakdown.sh PID
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PID" >&2; exit 2; }
python3 - "$1" <<'PY'
import os, re, sys
pid = int(sys.argv[1])
exe = os.path.realpath("/proc/%d/exe" % pid)
status = {l.split(":")[0]: l.split(":")[1].strip() for l in open("/proc/%d/status" % pid)}
print("process %d: %s" % (pid, exe))
for k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM", "VmData", "VmStk", "VmSize", "Threads"):
    print("  %-9s %s" % (k, status.get(k, "?")))

GROUPS = [  # (group, regular expression on the mapping's path), first match wins
    ("binary (%s)" % os.path.basename(exe), re.compile(re.escape(exe) + "$")),
    ("libswiftCore", re.compile(r"/libswiftCore\.so")),
    ("Foundation (libFoundation, Essentials, Internationalization)", re.compile(r"/libFoundation(Essentials|Internationalization)?\.so")),
    ("ICU (lib_FoundationICU)", re.compile(r"/lib_?FoundationICU\.so|/libicu")),
    ("libdispatch + BlocksRuntime", re.compile(r"/lib(swift)?[Dd]ispatch\.so|/libBlocksRuntime\.so")),
    ("other Swift runtime (Concurrency, StringProcessing, ...)", re.compile(r"/libswift[^/]*\.so")),
    ("OpenSSL (libssl, libcrypto)", re.compile(r"/lib(ssl|crypto)\.so")),
    ("hiredis", re.compile(r"/libhiredis")),
    ("libyaml", re.compile(r"/libyaml")),
    ("libc, libm, ld.so, libstdc++, libgcc", re.compile(r"/(libc|libm|ld-linux[^/]*|libstdc\+\+|libgcc_s|libcrypt|libz)\.so")),
    ("other files", re.compile(r"^/")),
    ("[heap]", re.compile(r"^\[heap\]$")),
    ("[stack] (main thread)", re.compile(r"^\[stack\]$")),
    ("[vdso], [vvar], ...", re.compile(r"^\[")),
]

# Thread stacks: the mapping holding each thread's stack pointer.
threads = {}
for tid in sorted(int(t) for t in os.listdir("/proc/%d/task" % pid)):
    name = open("/proc/%d/task/%d/comm" % (pid, tid)).read().strip()
    sp = None
    try:
        fields = open("/proc/%d/task/%d/syscall" % (pid, tid)).read().split()
        if len(fields) >= 3 and fields[0] != "running":
            sp = int(fields[-2], 16)
    except OSError:
        pass
    threads[tid] = (name, sp)

maps = []  # (start, end, path, fields)
cur = None
for line in open("/proc/%d/smaps" % pid):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
    if m:
        cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(4).strip(), m.group(3), {}]
        maps.append(cur)
        continue
    k, _, v = line.partition(":")
    if cur and v.strip().endswith("kB"):
        cur[4][k] = int(v.split()[0])

stack_of = {}
for tid, (name, sp) in threads.items():
    if sp is None:
        continue
    for mp in maps:
        if mp[0] <= sp < mp[1]:
            stack_of[tid] = mp
            break
stack_maps = {id(mp) for mp in stack_of.values() if mp[2] == ""}

totals = {}
for mp in maps:
    path, f = mp[2], mp[4]
    if id(mp) in stack_maps:
        g = "thread stacks (anonymous, %d threads)" % len([1 for m in stack_of.values() if id(m) in stack_maps])
    elif path == "":
        g = "other anonymous (malloc arenas, Swift/dispatch allocations)"
    else:
        g = next((name for name, rx in GROUPS if rx.search(path)), "other")
    t = totals.setdefault(g, [0, 0, 0, 0])
    t[0] += f.get("Rss", 0); t[1] += f.get("Anonymous", 0); t[2] += f.get("Private_Clean", 0) + f.get("Private_Dirty", 0)
    t[3] += f.get("Size", 0)
print("\nper mapping group (kB; Anonymous = written pages, Private = not shared with another process):")
print("  %-62s %8s %8s %8s %10s" % ("group", "Rss", "Anon", "Private", "Size"))
for g, t in sorted(totals.items(), key=lambda kv: -kv[1][0]):
    print("  %-62s %8d %8d %8d %10d" % (g, *t))
print("  %-62s %8d %8d %8d %10d" % ("total", *[sum(t[i] for t in totals.values()) for i in range(4)]))

print("\nthreads (%d):" % len(threads))
for tid, (name, sp) in threads.items():
    mp = stack_of.get(tid)
    where = ("stack mapping Rss %d kB of %d kB" % (mp[4].get("Rss", 0), mp[4].get("Size", 0))) if mp else "stack pointer not readable (running)"
    print("  %-8d %-18s %s" % (tid, name, where))

rollup = "/proc/%d/smaps_rollup" % pid
if os.path.exists(rollup):
    print("\nsmaps_rollup:")
    for line in open(rollup):
        if line.split(":")[0] in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Shared_Clean", "Private_Clean", "Private_Dirty", "Anonymous"):
            print("  " + line.rstrip())
PY
