package io.wstap.analyzer.report;

import java.io.PrintWriter;

/** One report format (text, JSON, HTML): writes a {@link Report}. */
public interface ReportWriter {
    void write(Report report, PrintWriter out);
}
