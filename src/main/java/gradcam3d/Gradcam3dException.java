package gradcam3d;

/**
 * A problem the user can act on (bad file, unknown layer, unsupported op...). The message is one
 * complete sentence meant to be printed as is; the command line prints it without a stack trace.
 */
public class Gradcam3dException extends RuntimeException {
  private final Setting setting;

  public Gradcam3dException(String message) {
    this(null, message, null);
  }

  public Gradcam3dException(String message, Throwable cause) {
    this(null, message, cause);
  }

  /** A problem with one setting's value; the message names it by {@link Setting#label()}. */
  public Gradcam3dException(Setting setting, String message) {
    this(setting, message, null);
  }

  public Gradcam3dException(Setting setting, String message, Throwable cause) {
    super(message, cause);
    this.setting = setting;
  }

  /** The setting the problem is about, or null when it is about no one setting (a file, a model). */
  public Setting setting() {
    return setting;
  }
}
