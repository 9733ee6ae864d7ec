package io.wstap.engine;

/**
 * The Close status codes (RFC 6455 §7.4 and the IANA "WebSocket Close Code Number" registry), as one table from which
 * every check is derived.
 *
 * <pre>
 *   1000-1003, 1007-1011   protocol codes          may be sent (1010 by clients, 1011 by servers)
 *   1012-1014              IANA registered         may be sent (service restart, try again later, bad gateway)
 *   1005, 1006, 1015       observation only        MUST NOT be sent: no code, no Close frame, TLS failure
 *   3000-3999              registered with IANA    may be sent (libraries and frameworks)
 *   4000-4999              private use             may be sent (the application's own reasons)
 *   0-999, 1004, 1016-2999, 5000 and above         invalid
 * </pre>
 *
 * A browser's {@code WebSocket.close(code)} accepts only 1000 and 3000-4999.
 */
public final class CloseCode {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int NO_STATUS = 1005;
    public static final int ABNORMAL = 1006;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int MANDATORY_EXTENSION = 1010;
    public static final int INTERNAL_ERROR = 1011;
    public static final int TLS_HANDSHAKE = 1015;

    /** What a code may be used for on the wire. */
    public enum Kind {
        /** Defined by RFC 6455 §7.4.1 and sendable. */
        PROTOCOL,
        /** Registered with IANA after the RFC (1012-1014). */
        IANA,
        /** 3000-3999: registered for libraries and frameworks. */
        REGISTERED,
        /** 4000-4999: private use by applications. */
        PRIVATE,
        /** 1005, 1006, 1015: describe what an endpoint observed; never in a Close frame. */
        OBSERVED_ONLY,
        /** Everything else: not allowed in a Close frame. */
        INVALID
    }

    private CloseCode() {
    }

    public static Kind kind(int code) {
        if (code == NO_STATUS || code == ABNORMAL || code == TLS_HANDSHAKE) {
            return Kind.OBSERVED_ONLY;
        }
        if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011)) {
            return Kind.PROTOCOL;
        }
        if (code >= 1012 && code <= 1014) {
            return Kind.IANA;
        }
        if (code >= 3000 && code <= 3999) {
            return Kind.REGISTERED;
        }
        if (code >= 4000 && code <= 4999) {
            return Kind.PRIVATE;
        }
        return Kind.INVALID;
    }

    /** True when the code may appear in a Close frame. */
    public static boolean isSendable(int code) {
        Kind k = kind(code);
        return k != Kind.OBSERVED_ONLY && k != Kind.INVALID;
    }

    /** A short name for reports ("normal closure", "private use"...). */
    public static String describe(int code) {
        return switch (code) {
            case NORMAL -> "normal closure";
            case GOING_AWAY -> "going away";
            case PROTOCOL_ERROR -> "protocol error";
            case UNSUPPORTED_DATA -> "unsupported data";
            case NO_STATUS -> "no status received";
            case ABNORMAL -> "abnormal closure";
            case INVALID_PAYLOAD -> "invalid frame payload data";
            case POLICY_VIOLATION -> "policy violation";
            case MESSAGE_TOO_BIG -> "message too big";
            case MANDATORY_EXTENSION -> "mandatory extension";
            case INTERNAL_ERROR -> "internal error";
            case 1012 -> "service restart";
            case 1013 -> "try again later";
            case 1014 -> "bad gateway";
            case TLS_HANDSHAKE -> "TLS handshake failure";
            default -> switch (kind(code)) {
                case REGISTERED -> "registered (3000-3999)";
                case PRIVATE -> "private use (4000-4999)";
                default -> "invalid";
            };
        };
    }
}
