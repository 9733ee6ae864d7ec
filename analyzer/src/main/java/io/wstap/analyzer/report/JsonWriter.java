package io.wstap.analyzer.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer (RFC 8259), pretty-printed with two-space indents. Strings are written as UTF-8 text
 * with {@code "} {@code \} and every control character escaped, and also U+2028/U+2029 (for JavaScript) and unpaired
 * surrogates (which UTF-8 cannot carry) as {@code \\uXXXX}. Misuse (a value where a name is due) throws
 * IllegalStateException.
 */
public final class JsonWriter {
    private enum Ctx { TOP, OBJECT, ARRAY }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Appendable out;
    private final Deque<Ctx> stack = new ArrayDeque<>();
    private final Deque<Boolean> empty = new ArrayDeque<>();
    private boolean nameWritten;

    public JsonWriter(Appendable out) {
        this.out = out;
        stack.push(Ctx.TOP);
        empty.push(true);
    }

    public JsonWriter beginObject() {
        beforeValue();
        raw("{");
        stack.push(Ctx.OBJECT);
        empty.push(true);
        return this;
    }

    public JsonWriter endObject() {
        return end(Ctx.OBJECT, "}");
    }

    public JsonWriter beginArray() {
        beforeValue();
        raw("[");
        stack.push(Ctx.ARRAY);
        empty.push(true);
        return this;
    }

    public JsonWriter endArray() {
        return end(Ctx.ARRAY, "]");
    }

    private JsonWriter end(Ctx ctx, String close) {
        if (stack.peek() != ctx || nameWritten) {
            throw new IllegalStateException("unbalanced " + close);
        }
        stack.pop();
        boolean wasEmpty = empty.pop();
        if (!wasEmpty) {
            newline();
        }
        raw(close);
        if (stack.peek() == Ctx.TOP) {
            raw("\n");
        }
        return this;
    }

    /** The next member's name. */
    public JsonWriter name(String name) {
        if (stack.peek() != Ctx.OBJECT || nameWritten) {
            throw new IllegalStateException("a name outside an object: " + name);
        }
        separator();
        string(name);
        raw(": ");
        nameWritten = true;
        return this;
    }

    public JsonWriter value(String s) {
        if (s == null) {
            return nullValue();
        }
        beforeValue();
        string(s);
        return this;
    }

    public JsonWriter value(long n) {
        beforeValue();
        raw(Long.toString(n));
        return this;
    }

    public JsonWriter value(boolean b) {
        beforeValue();
        raw(b ? "true" : "false");
        return this;
    }

    /** A number written as given (e.g. "5.000"); it must be a JSON number. */
    public JsonWriter number(String literal) {
        if (!literal.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw new IllegalArgumentException("not a JSON number: " + literal);
        }
        beforeValue();
        raw(literal);
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        raw("null");
        return this;
    }

    /** Shorthands: a member. */
    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    /** A member whose value is null when {@code value} is negative ("unknown" in the engine's records). */
    public JsonWriter fieldOrNull(String name, long value) {
        return value < 0 ? name(name).nullValue() : name(name).value(value);
    }

    private void beforeValue() {
        Ctx ctx = stack.peek();
        if (ctx == Ctx.OBJECT) {
            if (!nameWritten) {
                throw new IllegalStateException("a value without a name");
            }
            nameWritten = false;
        } else if (ctx == Ctx.ARRAY) {
            separator();
        } else if (!empty.peek()) {
            throw new IllegalStateException("a second top-level value");
        } else {
            empty.pop();
            empty.push(false);
        }
    }

    private void separator() {
        if (!empty.peek()) {
            raw(",");
        }
        empty.pop();
        empty.push(false);
        newline();
    }

    private void newline() {
        raw("\n");
        raw("  ".repeat(stack.size() - 1)); // the depth: open containers (TOP is at the bottom)
    }

    private void string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    boolean unpaired = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029 || unpaired) {
                        b.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                                .append(HEX[c & 0xF]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        raw(b.append('"').toString());
    }

    private void raw(String s) {
        try {
            out.append(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
