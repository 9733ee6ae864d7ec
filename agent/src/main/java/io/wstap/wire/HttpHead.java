package io.wstap.wire;

import java.util.Locale;

/**
 * The fields of one HTTP/1.1 head that a WebSocket opening handshake is judged by: either an upgrade request
 * (RFC 6455 §4.1, or draft hixie-76 with {@code Sec-WebSocket-Key1/Key2}) or its response (§4.2.2).
 *
 * <p>Built once per handshake by {@link HttpHeadParser} (or by a capture reader replaying one); every text field is
 * {@code null} when the header was absent. Repeated headers (e.g. several {@code Sec-WebSocket-Protocol} lines) are
 * joined with {@code ", "}, as RFC 7230 §3.2.2 allows. Values longer than {@link HttpHeadParser#MAX_VALUE_CHARS} are
 * truncated: they are kept for the report, not for byte-exact replay.
 *
 * @param request    true for a request, false for a response
 * @param method     request method ("GET"), null for a response
 * @param target     request target ("/chat?x=1"), null for a response
 * @param status     response status code (101), 0 for a request
 * @param reason     response reason phrase ("Switching Protocols"), null for a request
 * @param host       {@code Host}
 * @param upgrade    {@code Upgrade}
 * @param connection {@code Connection}
 * @param key        {@code Sec-WebSocket-Key} (request)
 * @param version    {@code Sec-WebSocket-Version} (request)
 * @param protocol   {@code Sec-WebSocket-Protocol} (offered list in a request, chosen one in a response)
 * @param extensions {@code Sec-WebSocket-Extensions} (offered in a request, accepted in a response)
 * @param accept     {@code Sec-WebSocket-Accept} (response)
 * @param key1       hixie-76 {@code Sec-WebSocket-Key1} (request)
 * @param key2       hixie-76 {@code Sec-WebSocket-Key2} (request)
 * @param origin     {@code Origin} (request) or hixie-76 {@code Sec-WebSocket-Origin} (response)
 * @param location   hixie-76 {@code Sec-WebSocket-Location} (response)
 * @param headBytes  size of the head in bytes, up to and including the blank line
 */
public record HttpHead(
        boolean request,
        String method,
        String target,
        int status,
        String reason,
        String host,
        String upgrade,
        String connection,
        String key,
        String version,
        String protocol,
        String extensions,
        String accept,
        String key1,
        String key2,
        String origin,
        String location,
        int headBytes) {

    /** True when this request asks to upgrade to WebSocket ({@code Upgrade: websocket}, any case). */
    public boolean isWebSocketUpgrade() {
        return request && containsToken(upgrade, "websocket"); // containsToken is false for a missing header
    }

    /** True when this response switches to WebSocket: 101 with {@code Upgrade: websocket} (any case). */
    public boolean isWebSocketSwitch() {
        return !request && status == 101 && containsToken(upgrade, "websocket");
    }

    /** True for a draft hixie-76 request: it carries {@code Sec-WebSocket-Key1} and {@code Key2}. */
    public boolean isHixie76() {
        return request && key1 != null && key2 != null;
    }

    /** True when {@code list} (comma-separated, case-insensitive) holds {@code token}. */
    public static boolean containsToken(String list, String token) {
        if (list == null) {
            return false;
        }
        for (String part : list.split(",")) {
            if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }
}
