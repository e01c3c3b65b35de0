package org.xenpv.cli.ring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * Maps the ring entry records to JSON and back, from their record components: one JSON field per component,
 * under the component's name. {@code int}/{@code long} components marked {@link Unsigned} print as unsigned
 * numbers, {@code byte[]} as lower-case hex, {@code List<Integer>} elements (grant references) as u32. A value
 * of a sealed interface carries {@code "kind"}: the simple name of its record. On input a missing field is 0
 * (or empty), an unknown field is an error, and every value is range-checked by the record's constructor.
 */
final class RecordJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private RecordJson() {
    }

    /** Thrown for JSON that does not describe a valid record; the message names the field. */
    static final class BadJson extends RuntimeException {
        BadJson(String message) {
            super(message);
        }
    }

    static ObjectNode toJson(Object value) {
        ObjectNode o = NODES.objectNode();
        Class<?> c = value.getClass();
        if (sealedParent(c) != null) {
            o.put("kind", c.getSimpleName());
        }
        for (RecordComponent rc : c.getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + c.getSimpleName() + "." + rc.getName(), e);
            }
            o.set(rc.getName(), toNode(rc, v));
        }
        return o;
    }

    private static Class<?> sealedParent(Class<?> c) {
        for (Class<?> i : c.getInterfaces()) {
            if (i.isSealed()) {
                return i;
            }
        }
        return null;
    }

    private static JsonNode toNode(RecordComponent rc, Object v) {
        boolean unsigned = rc.isAnnotationPresent(Unsigned.class);
        return switch (v) {
            case Integer i -> unsigned ? NODES.numberNode(Integer.toUnsignedLong(i)) : NODES.numberNode(i);
            case Long l -> unsigned ? NODES.numberNode(new BigInteger(Long.toUnsignedString(l))) : NODES.numberNode(l);
            case byte[] b -> NODES.textNode(Fields.hex(b));
            case List<?> list -> {
                ArrayNode a = NODES.arrayNode();
                for (Object e : list) {
                    a.add(e instanceof Integer i ? NODES.numberNode(Integer.toUnsignedLong(i)) : toJson(e));
                }
                yield a;
            }
            default -> toJson(v);
        };
    }

    /**
     * Builds a {@code type} from {@code node}. For a sealed interface {@code node.kind} picks the record.
     *
     * @param where names the value in error messages ({@code "slot 3 request"})
     */
    static <T> T fromJson(JsonNode node, Class<T> type, String where) {
        if (node == null || !node.isObject()) {
            throw new BadJson(where + ": expected a JSON object");
        }
        Class<?> rec = type;
        if (type.isInterface() && type.isSealed()) {
            JsonNode kind = node.get("kind");
            List<String> kinds = Arrays.stream(type.getPermittedSubclasses()).map(Class::getSimpleName).toList();
            if (kind == null || !kind.isTextual()) {
                throw new BadJson(where + ": missing \"kind\" (one of " + String.join(", ", kinds) + ")");
            }
            rec = Arrays.stream(type.getPermittedSubclasses()).filter(c -> c.getSimpleName().equals(kind.asText()))
                    .findFirst().orElseThrow(() -> new BadJson(where + ": unknown kind \"" + kind.asText()
                            + "\" (one of " + String.join(", ", kinds) + ")"));
        }
        RecordComponent[] comps = rec.getRecordComponents();
        Set<String> names = Arrays.stream(comps).map(RecordComponent::getName).collect(Collectors.toSet());
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!names.contains(f) && !f.equals("kind")) {
                throw new BadJson(where + ": unknown field \"" + f + "\" of " + rec.getSimpleName() + " (fields: "
                        + Arrays.stream(comps).map(RecordComponent::getName).collect(Collectors.joining(", ")) + ")");
            }
        }
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            args[i] = fromNode(node.get(comps[i].getName()), comps[i], where + " " + comps[i].getName());
        }
        try {
            Constructor<?> ctor = rec.getDeclaredConstructor(types);
            return type.cast(ctor.newInstance(args));
        } catch (InvocationTargetException e) {
            throw new BadJson(where + ": " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + rec.getSimpleName(), e);
        }
    }

    private static Object fromNode(JsonNode n, RecordComponent rc, String where) {
        Class<?> t = rc.getType();
        boolean missing = n == null || n.isNull();
        if (t == int.class) {
            return missing ? 0 : (int) integer(n, where, -(1L << 31), (1L << 32) - 1);
        }
        if (t == long.class) {
            if (missing) {
                return 0L;
            }
            BigInteger v = bigInteger(n, where);
            if (v.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0 || v.compareTo(U64_MAX) > 0) {
                throw new BadJson(where + ": " + v + " does not fit 64 bits");
            }
            return v.longValue();
        }
        if (t == byte[].class) {
            return missing ? null : hex(n, where);
        }
        if (t == List.class) {
            if (missing) {
                return List.of();
            }
            if (!n.isArray()) {
                throw new BadJson(where + ": expected an array");
            }
            Type arg = ((ParameterizedType) rc.getGenericType()).getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                String w = where + "[" + i + "]";
                out.add(arg == Integer.class ? (Object) (int) integer(n.get(i), w, -(1L << 31), (1L << 32) - 1)
                        : fromJson(n.get(i), (Class<?>) arg, w));
            }
            return out;
        }
        throw new IllegalStateException("no JSON mapping for " + t + " (" + where + ")");
    }

    static long integer(JsonNode n, String where, long min, long max) {
        BigInteger v = bigInteger(n, where);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new BadJson(where + ": " + v + " out of range " + min + ".." + max);
        }
        return v.longValue();
    }

    private static BigInteger bigInteger(JsonNode n, String where) {
        if (!n.isIntegralNumber()) {
            throw new BadJson(where + ": expected an integer, got " + n);
        }
        return n.bigIntegerValue();
    }

    /** Parses lower- or upper-case hex without separators. */
    static byte[] hex(JsonNode n, String where) {
        if (!n.isTextual()) {
            throw new BadJson(where + ": expected a hex string");
        }
        String s = n.asText();
        if (s.length() % 2 != 0) {
            throw new BadJson(where + ": odd number of hex digits (" + s.length() + ")");
        }
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new BadJson(where + ": not hex at character " + (2 * i));
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }
}
