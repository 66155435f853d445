package gradcam3d;

/**
 * A bad option value that could only be judged once the input was known (e.g. a slice index
 * past the volume's end): still the user's option, so the command line exits with 2 as for any
 * other bad option value.
 */
public class OptionValueException extends Gradcam3dException {
  public OptionValueException(String message) {
    super(message);
  }

  public OptionValueException(Setting setting, String message) {
    super(setting, message);
  }
}
