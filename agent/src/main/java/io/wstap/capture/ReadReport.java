package io.wstap.capture;

import java.util.List;

/**
 * What a {@link CaptureReader#readAll} pass found.
 *
 * @param blocks     good blocks read (the header block included)
 * @param events     events handed to the sink (re-declarations a series reader skips are not counted)
 * @param damage     every range skipped, in file order (for a series: each {@code what} starts with the file name)
 * @param truncated  the file ends inside a block (a torn tail: the writer was stopped mid-write, or the file was cut)
 * @param validBytes offset just past the last good block (the last file's, for a series): everything after it is damage
 */
public record ReadReport(long blocks, long events, List<Damage> damage, boolean truncated, long validBytes) {
    public ReadReport {
        damage = List.copyOf(damage);
    }

    /** True when nothing was skipped and the file does not end inside a block. */
    public boolean clean() {
        return damage.isEmpty() && !truncated;
    }
}
