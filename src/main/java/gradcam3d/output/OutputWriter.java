package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One output format. Each writer takes the typed result, writes its files into the (staging)
 * result folder and records their names; a new format is one new writer in {@link ResultWriter}.
 */
public interface OutputWriter {
  void write(CaseResult result, OutputSettings settings, Path dir, Written written) throws IOException;
}
