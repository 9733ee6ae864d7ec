package io.wstap.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A rule broken, raised live by the engine (once per rule and sender per connection). */
@Name("io.wstap.Finding")
@Label("WebSocket Finding")
@Category({"WebSocket", "Findings"})
@Description("A WebSocket protocol or closing-handshake problem flagged by wstap (rule id, slug, severity)")
@StackTrace(true)
public final class FindingEvent extends jdk.jfr.Event {
    @Label("Connection Id")
    public long connectionId;

    @Label("Rule")
    @Description("Stable id, e.g. WS205")
    public String rule;

    @Label("Slug")
    public String slug;

    @Label("Severity")
    public String severity;

    @Label("RFC Section")
    public String ref;

    @Label("Message")
    public String message;

    @Label("Side")
    @Description("client or server at fault; empty when it is the connection's")
    public String side;

    // Added for `wstap analyze rec.jfr` (the analyzer rebuilds the engine's Finding from them).

    @Label("Endpoint")
    @Description("local or remote: the endpoint at fault in this JVM's view; empty when it is the connection's")
    public String endpoint;

    @Label("Frame Index")
    @Description("Index of the offending frame among its sender's frames, -1 when none")
    public long frameIndex;

    @Label("Close Code")
    @Description("The Close code involved, -1 when none")
    public int code;

    @Label("Offset")
    @Description("Offset of the offending bytes in the sender's stream, -1 when none")
    public long offset;
}
