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
}
