package io.wstap.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * The agent's cumulative counters, emitted periodically by JFR (1 s in wstap.jfc). A rate is the difference of two
 * consecutive events; the counters never go back while the agent runs.
 *
 * <p>Frames and bytes are counted by the writer thread as it drains the ring, never on the application thread: a
 * record dropped because the ring was full is in {@link #droppedRecords}, not in the frame counts.
 */
@Name("io.wstap.Stats")
@Label("WebSocket Statistics")
@Category({"WebSocket", "Statistics"})
@Description("Cumulative counters of the wstap agent: frames and payload bytes each way, WebSocket connections "
        + "opened and still open, records dropped")
@StackTrace(false)
@Period("1 s")
public final class StatsEvent extends jdk.jfr.Event {
    @Label("Frames In")
    @Description("Frames received by this JVM on WebSocket connections, since the agent started")
    public long framesIn;

    @Label("Frames Out")
    @Description("Frames sent by this JVM on WebSocket connections, since the agent started")
    public long framesOut;

    @Label("Bytes In")
    @Description("Payload bytes of the frames received")
    @DataAmount
    public long bytesIn;

    @Label("Bytes Out")
    @Description("Payload bytes of the frames sent")
    @DataAmount
    public long bytesOut;

    @Label("Open Connections")
    @Description("WebSocket connection ends in this JVM whose TCP connection has not closed yet")
    public long openConnections;

    @Label("Connections Opened")
    @Description("WebSocket connection ends seen since the agent started")
    public long connectionsOpened;

    @Label("Dropped Records")
    @Description("Records lost because the agent's ring was full (their frames are not counted)")
    public long droppedRecords;

    @Label("Tap Errors")
    @Description("Internal errors of the tap (each stops the tap on one connection)")
    public long tapErrors;
}
