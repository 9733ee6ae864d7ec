package io.wstap.capture;

/**
 * A range of a capture file that could not be read; the reader skipped it and went on with the next good block.
 *
 * @param offset byte offset of the damaged range in the file
 * @param length its length in bytes (up to the next good block, or the end of the file)
 * @param what   why, e.g. "block CRC mismatch", "truncated block (100 of 4000 payload bytes)", "no block marker"
 */
public record Damage(long offset, long length, String what) {
    @Override
    public String toString() {
        return "bytes " + offset + ".." + (offset + length) + ": " + what;
    }
}
