package gradcam3d;

/**
 * A problem the user can act on (bad file, unknown layer, unsupported op...). The message is one
 * complete sentence meant to be printed as is; the command line prints it without a stack trace.
 */
public class Gradcam3dException extends RuntimeException {
  public Gradcam3dException(String message) {
    super(message);
  }

  public Gradcam3dException(String message, Throwable cause) {
    super(message, cause);
  }
}
