package org.xenpv.xenstore.control;

import static org.xenpv.xenstore.store.Errno.EBADF;
import static org.xenpv.xenstore.store.Errno.EINVAL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.domain.XsQuota;
import org.xenpv.xenstore.perm.PermParser;
import org.xenpv.xenstore.wire.XsPayload;

/**
 * {@code XS_CONTROL} (alias DEBUG) of cxenstored 4.17 (xenstored_control.c): {@code cmd\0[arg\0]*}.
 * Unknown commands and bad argument counts are EINVAL; EBADF (memreport without a trace) goes out as
 * EINVAL because it is not in {@code xsd_errors[]}. Live update cannot replace this JVM: a request that
 * cxenstored would carry out answers as if the new daemon had come back ("OK") and the store carries on;
 * see docs/xenstore-deviations.md.
 */
public final class ControlCommands {

    private static final Logger LOG = LoggerFactory.getLogger(ControlCommands.class);

    /** The exact {@code help} text of cxenstored 4.17 on Linux (without the final NUL). */
    public static final String HELP = "check\t\n"
            + "log\ton|off\n"
            + "live-update\t[-c <cmdline>] [-F] [-t <timeout>] <file>\n"
            + "    Default timeout is 60 seconds.\n"
            + "logfile\t<file>\n"
            + "memreport\t[<file>]\n"
            + "print\t<string>\n"
            + "quota\t[set <name> <val>|<domid>]\n"
            + "quota-soft\t[set <name> <val>]\n"
            + "help\t\n";

    private static final String[] NAMES = {"check", "log", "live-update", "logfile", "memreport", "print", "quota",
        "quota-soft", "help"};

    /** State of a live-update session ({@code lu_status}); owner is the connection's trace id. */
    private Long liveUpdateOwner;

    /**
     * Runs a CONTROL request. Returns 0 after replying through the context, else the errno to answer with.
     *
     * @param ownerId identity of the requesting connection (for the live-update session)
     */
    public int handle(ControlContext ctx, long ownerId, byte[] payload) {
        if (XsPayload.indexOfNul(payload, 0) < 0) {
            return EINVAL;
        }
        String name = XsPayload.cString(payload, 0);
        int cmd = -1;
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                cmd = i;
                break;
            }
        }
        if (cmd < 0) {
            return EINVAL;
        }
        int num = XsPayload.countNuls(payload);
        if (name.equals("live-update")) {
            num = Math.min(num, 5);
        }
        List<String> all = XsPayload.split(payload);
        List<String> args = all.subList(1, num);
        return switch (name) {
            case "check" -> check(ctx, args);
            case "log" -> log(ctx, args);
            case "live-update" -> liveUpdate(ctx, ownerId, args);
            case "logfile" -> logfile(ctx, args);
            case "memreport" -> memreport(ctx, args);
            case "print" -> print(ctx, args);
            case "quota" -> quota(ctx, args);
            case "quota-soft" -> quotaSoft(ctx, args);
            case "help" -> help(ctx, args);
            default -> EINVAL;
        };
    }

    /** Forgets a live-update session owned by a connection that went away. */
    public void connectionGone(long ownerId) {
        if (liveUpdateOwner != null && liveUpdateOwner == ownerId) {
            liveUpdateOwner = null;
        }
    }

    private int check(ControlContext ctx, List<String> args) {
        if (!args.isEmpty()) {
            return EINVAL;
        }
        ctx.checkStore();
        ctx.reply("OK");
        return 0;
    }

    private int log(ControlContext ctx, List<String> args) {
        if (args.size() != 1) {
            return EINVAL;
        }
        switch (args.get(0)) {
            case "on" -> ctx.traceOn();
            case "off" -> ctx.traceOff();
            default -> {
                return EINVAL;
            }
        }
        ctx.reply("OK");
        return 0;
    }

    private int logfile(ControlContext ctx, List<String> args) {
        if (args.size() != 1) {
            return EINVAL;
        }
        ctx.traceFile(args.get(0));
        ctx.reply("OK");
        return 0;
    }

    private int memreport(ControlContext ctx, List<String> args) {
        if (args.size() > 1) {
            return EINVAL;
        }
        if (args.isEmpty() && !ctx.traceConfigured()) {
            return EBADF;
        }
        ctx.reply("OK");
        return 0;
    }

    private int print(ControlContext ctx, List<String> args) {
        if (args.size() != 1) {
            return EINVAL;
        }
        LOG.info("control: {}", args.get(0));
        ctx.reply("OK");
        return 0;
    }

    private int help(ControlContext ctx, List<String> args) {
        if (!args.isEmpty()) {
            return EINVAL;
        }
        ctx.reply(HELP);
        return 0;
    }

    private int quota(ControlContext ctx, List<String> args) {
        if (args.isEmpty()) {
            ctx.reply(show(ctx, XsQuota.hardQuotas()));
            return 0;
        }
        if (args.get(0).equals("set")) {
            return set(ctx, args.subList(1, args.size()), XsQuota.hardQuotas());
        }
        if (args.size() != 1) {
            return EINVAL;
        }
        String report = ctx.domainQuotaReport(PermParser.atoi(args.get(0)));
        if (report == null) {
            return org.xenpv.xenstore.store.Errno.ENOENT;
        }
        ctx.reply(report);
        return 0;
    }

    private int quotaSoft(ControlContext ctx, List<String> args) {
        if (args.isEmpty()) {
            ctx.reply(show(ctx, XsQuota.softQuotas()));
            return 0;
        }
        if (args.get(0).equals("set")) {
            return set(ctx, args.subList(1, args.size()), XsQuota.softQuotas());
        }
        return EINVAL;
    }

    /** {@code quota_show_current()}: "Quota settings:" then {@code %-17s: %8d %s} per quota. */
    private static String show(ControlContext ctx, XsQuota[] quotas) {
        StringBuilder sb = new StringBuilder("Quota settings:\n");
        for (XsQuota q : quotas) {
            sb.append(String.format("%-17s: %8d %s\n", q.controlName(), ctx.quotas().get(q), q.description()));
        }
        return sb.toString();
    }

    private static int set(ControlContext ctx, List<String> args, XsQuota[] quotas) {
        if (args.size() != 2) {
            return EINVAL;
        }
        int val = PermParser.atoi(args.get(1));
        if (val < 1) {
            return EINVAL;
        }
        for (XsQuota q : quotas) {
            if (q.controlName().equals(args.get(0))) {
                ctx.quotas().setUncapped(q, val);
                ctx.reply("OK");
                return 0;
            }
        }
        return EINVAL;
    }

    /** {@code do_control_lu()} (daemon flavour: {@code -f <file>}, {@code -c}, {@code -s}, {@code -a}). */
    private int liveUpdate(ControlContext ctx, long ownerId, List<String> args) {
        if (args.isEmpty()) {
            return EINVAL;
        }
        String ret;
        switch (args.get(0)) {
            case "-a" -> {
                if (args.size() != 1) {
                    return EINVAL;
                }
                if (liveUpdateOwner == null) {
                    ret = "No live-update session active.";
                } else {
                    liveUpdateOwner = null;
                    ret = null;
                }
            }
            case "-c" -> {
                if (args.size() != 2) {
                    return EINVAL;
                }
                ret = liveUpdateOwner == null || liveUpdateOwner != ownerId ? "Not in live-update session." : null;
            }
            case "-s" -> {
                boolean force = false;
                int to = 0;
                for (int i = 1; i < args.size(); i++) {
                    if (args.get(i).equals("-F")) {
                        force = true;
                    } else if (args.get(i).equals("-t") && i < args.size() - 1) {
                        i++;
                        to = PermParser.atoi(args.get(i));
                    } else {
                        return EINVAL;
                    }
                }
                if (liveUpdateOwner == null || liveUpdateOwner != ownerId) {
                    ret = "Not in live-update session.";
                } else {
                    String blocker = ctx.liveUpdateBlocker(force, to);
                    liveUpdateOwner = null;
                    // Success means the new binary answers "OK" after restoring the state; the state
                    // here simply carries on.
                    ret = blocker;
                }
            }
            case "-f" -> {
                if (args.size() != 2) {
                    return EINVAL;
                }
                Path file = Path.of(args.get(1));
                if (!Files.exists(file)) {
                    ret = "File not accessible.";
                } else if (!Files.isExecutable(file)) {
                    ret = "File not executable.";
                } else if (liveUpdateOwner != null) {
                    ret = "live-update session already active.";
                } else {
                    liveUpdateOwner = ownerId;
                    ret = null;
                }
            }
            default -> {
                return EINVAL;
            }
        }
        ctx.reply(ret == null ? "OK" : ret);
        return 0;
    }
}
