package io.wstap.analyzer.source;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real recording made small for fuzzing: the metadata of every chunk keeps only the event types {@code keep} names
 * (and every type that is not an event: the constant pools' types), its string table only the strings still used.
 * A JVM's recording describes all ~180 of its event types in every chunk, ~100 KB that the JDK's parser reads in full
 * for each input: trimmed, the same events of the same recording are read several times faster, so the fuzzer gets
 * far more inputs through wstap's JFR source in the same time. Events of the dropped types stay in the chunk, and the
 * JDK's parser skips an event of an unknown type, as it does for any recording.
 *
 * <p>The format (JDK 17 and 25, JFR 2.x; MetadataReader, ChunkParser): the metadata event is {@code size type=0 start
 * duration metadataId}, a string table ({@code count}, then strings), then an element tree ({@code name-index
 * attribute-count (key-index value-index)* child-count child*}), every integer a JFR varint. Moving the metadata moves
 * everything after it: the chunk size, the constant-pool offset and the checkpoint deltas that cross it are fixed.
 */
final class JfrTrim {
    private JfrTrim() {
    }

    /** An element of the metadata tree; names and attributes are string-table indexes. */
    private static final class Element {
        int name;
        int[] attributes; // key, value, key, value, ...
        final List<Element> children = new ArrayList<>();
    }

    static byte[] trim(byte[] recording, Predicate<String> keep) {
        return rewrite(recording, (root, strings) -> child(root, strings, "metadata").children.removeIf(e -> {
            String superType = attribute(e, strings, "superType");
            return "jdk.jfr.Event".equals(superType) && !keep.test(attribute(e, strings, "name"));
        }));
    }

    /**
     * The recording with the first field of type {@code typeName} made of that type itself, inline (as a bit flipped in
     * a field's class id can make it): the JDK's parser, reading a value of the type, reads a value of the type first,
     * without consuming a byte, until its stack overflows. What JfrFuzzTest found; made here on purpose.
     */
    static byte[] makeTypeContainItself(byte[] recording, String typeName) {
        return rewrite(recording, (root, strings) -> {
            for (Element type : child(root, strings, "metadata").children) {
                if (typeName.equals(attribute(type, strings, "name"))) {
                    int id = attributeIndex(type, strings, "id");
                    for (Element field : type.children) {
                        if (strings.get(field.name).equals("field")) {
                            field.attributes[attributeIndex(field, strings, "class")] = type.attributes[id];
                            return;
                        }
                    }
                }
            }
            throw new IllegalArgumentException("no type " + typeName + " with a field");
        });
    }

    /** Every chunk of the recording with its metadata tree edited by {@code edit}, everything that moves fixed. */
    private static byte[] rewrite(byte[] recording, java.util.function.BiConsumer<Element, List<String>> edit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.wrap(recording);
        for (int at = 0; at + JfrFraming.HEADER_SIZE <= recording.length; ) {
            int size = (int) in.getLong(at + 8);
            out.writeBytes(chunk(Arrays.copyOfRange(recording, at, at + size), edit));
            at += size;
        }
        return out.toByteArray();
    }

    private static byte[] chunk(byte[] c, java.util.function.BiConsumer<Element, List<String>> edit) {
        ByteBuffer h = ByteBuffer.wrap(c);
        long cp = h.getLong(16);
        int md = (int) h.getLong(24);
        Reader r = new Reader(c, md);
        int size = (int) r.varint();
        int mdEnd = md + size;
        long type = r.varint();
        if (type != 0) {
            throw new IllegalArgumentException("no metadata event at " + md);
        }
        long start = r.varint();
        long duration = r.varint();
        long id = r.varint();
        int count = (int) r.varint();
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(r.string());
        }
        Element root = r.element();
        edit.accept(root, strings);
        Map<Integer, Integer> renumber = new HashMap<>();
        List<String> kept = new ArrayList<>();
        collect(root, strings, renumber, kept);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        varint(body, 0);
        varint(body, start);
        varint(body, duration);
        varint(body, id);
        varint(body, kept.size());
        for (String s : kept) {
            string(body, s);
        }
        write(body, root, renumber);
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        paddedInt(meta, 5 + body.size()); // the size includes its own 5 bytes, padded as the JVM writes it
        meta.writeBytes(body.toByteArray());

        int delta = meta.size() - size;
        byte[] t = new byte[c.length + delta];
        System.arraycopy(c, 0, t, 0, md);
        System.arraycopy(meta.toByteArray(), 0, t, md, meta.size());
        System.arraycopy(c, mdEnd, t, md + meta.size(), c.length - mdEnd);
        ByteBuffer n = ByteBuffer.wrap(t);
        n.putLong(8, t.length);
        long newCp = cp > md ? cp + delta : cp;
        n.putLong(16, newCp);
        // the checkpoint chain: a delta from one side of the metadata to the other changes by the shift
        for (long p = newCp; ; ) {
            Reader cr = new Reader(t, (int) p);
            cr.varint(); // size
            cr.varint(); // type 1
            cr.varint(); // start
            cr.varint(); // duration
            int deltaAt = cr.at;
            long d = cr.varint();
            if (d == 0) {
                break;
            }
            long oldP = p > md ? p - delta : p;
            long oldTarget = oldP + d;
            long target = oldTarget > md ? oldTarget + delta : oldTarget;
            long nd = target - p;
            if (nd != d) {
                byte[] enc = varintBytes(nd);
                if (enc.length != cr.at - deltaAt) {
                    throw new IllegalStateException("checkpoint delta changes length: " + d + " -> " + nd);
                }
                System.arraycopy(enc, 0, t, deltaAt, enc.length);
            }
            p = target;
        }
        return t;
    }

    private static Element child(Element e, List<String> strings, String name) {
        for (Element c : e.children) {
            if (strings.get(c.name).equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no " + name + " element");
    }

    /** The index in {@code e.attributes} of the value of {@code key}. */
    private static int attributeIndex(Element e, List<String> strings, String key) {
        for (int i = 0; i < e.attributes.length; i += 2) {
            if (key.equals(strings.get(e.attributes[i]))) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no attribute " + key);
    }

    private static String attribute(Element e, List<String> strings, String key) {
        for (int i = 0; i < e.attributes.length; i += 2) {
            if (key.equals(strings.get(e.attributes[i]))) {
                return strings.get(e.attributes[i + 1]);
            }
        }
        return null;
    }

    /** The strings the kept tree uses, renumbered in the order they are met. */
    private static void collect(Element e, List<String> strings, Map<Integer, Integer> renumber, List<String> kept) {
        use(e.name, strings, renumber, kept);
        for (int a : e.attributes) {
            use(a, strings, renumber, kept);
        }
        for (Element c : e.children) {
            collect(c, strings, renumber, kept);
        }
    }

    private static void use(int index, List<String> strings, Map<Integer, Integer> renumber, List<String> kept) {
        renumber.computeIfAbsent(index, i -> {
            kept.add(strings.get(i));
            return kept.size() - 1;
        });
    }

    private static void write(ByteArrayOutputStream out, Element e, Map<Integer, Integer> renumber) {
        varint(out, renumber.get(e.name));
        varint(out, e.attributes.length / 2);
        for (int a : e.attributes) {
            varint(out, renumber.get(a));
        }
        varint(out, e.children.size());
        for (Element c : e.children) {
            write(out, c, renumber);
        }
    }

    /** JFR strings as MetadataWriter writes them: encoding 0 null, else 4 (chars as varints). */
    private static void string(ByteArrayOutputStream out, String s) {
        if (s == null) {
            out.write(0);
            return;
        }
        out.write(4);
        varint(out, s.length());
        for (int i = 0; i < s.length(); i++) {
            varint(out, s.charAt(i));
        }
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        out.writeBytes(varintBytes(v));
    }

    private static byte[] varintBytes(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 8; i++) {
            if ((v & ~0x7FL) == 0) {
                out.write((int) v);
                return out.toByteArray();
            }
            out.write((int) (v & 0x7F | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static void paddedInt(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (7 * i) & 0x7F | 0x80);
        }
        out.write(v >>> 28 & 0x7F);
    }

    /** JFR's varints and strings (RecordingInput, StringParser) from a position. */
    private static final class Reader {
        final byte[] b;
        int at;

        Reader(byte[] b, int at) {
            this.b = b;
            this.at = at;
        }

        long varint() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                int x = b[at++] & 0xFF;
                v |= (long) (x & 0x7F) << (7 * i);
                if (x < 0x80) {
                    return v;
                }
            }
            return v | (long) (b[at++] & 0xFF) << 56;
        }

        String string() {
            int encoding = b[at++];
            switch (encoding) {
                case 0:
                    return null;
                case 1:
                    return "";
                case 3, 5: {
                    int n = (int) varint();
                    String s = new String(b, at, n, encoding == 3 ? java.nio.charset.StandardCharsets.UTF_8
                            : java.nio.charset.StandardCharsets.ISO_8859_1);
                    at += n;
                    return s;
                }
                case 4: {
                    int n = (int) varint();
                    char[] cs = new char[n];
                    for (int i = 0; i < n; i++) {
                        cs[i] = (char) varint();
                    }
                    return new String(cs);
                }
                default:
                    throw new IllegalArgumentException("string encoding " + encoding + " at " + (at - 1));
            }
        }

        Element element() {
            Element e = new Element();
            e.name = (int) varint();
            int n = (int) varint();
            e.attributes = new int[2 * n];
            for (int i = 0; i < 2 * n; i++) {
                e.attributes[i] = (int) varint();
            }
            int children = (int) varint();
            for (int i = 0; i < children; i++) {
                e.children.add(element());
            }
            return e;
        }
    }
}
