package gradcam3d.volume.formats;

import gradcam3d.Gradcam3dException;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes the JPEG frame of an encapsulated DICOM image (baseline, extended, lossless process 14)
 * with TwelveMonkeys' ImageIO reader, which unlike the JDK's reads 12- and 16-bit and lossless
 * JPEG. Streams are cached in memory only: ImageIO's default file cache would write to /tmp.
 */
final class JpegFrames {
  private JpegFrames() {}

  /** The samples of a one-component frame, row by row, as the unsigned values the JPEG holds. */
  static int[] decode(byte[] jpeg, int rows, int columns, String source) {
    checkFrameSize(jpeg, rows, columns, source);
    ImageReader reader = reader();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      reader.setInput(in, true, true);
      Raster raster = reader.readRaster(0, null);
      if (raster.getWidth() != columns || raster.getHeight() != rows || raster.getNumBands() != 1) {
        throw new Gradcam3dException(source + ": its JPEG frame is " + raster.getWidth() + "x" + raster.getHeight()
            + " with " + raster.getNumBands() + " components, but the header says " + columns + "x" + rows
            + " with 1.");
      }
      return raster.getSamples(raster.getMinX(), raster.getMinY(), columns, rows, 0, (int[]) null);
    } catch (IOException | RuntimeException e) {
      if (e instanceof Gradcam3dException g) {
        throw g;
      }
      throw new Gradcam3dException(source + ": its JPEG pixel data cannot be decoded (" + e.getMessage() + ").", e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * The frame header (SOF marker) must state the header's size and one component before the
   * decoder allocates anything from it.
   */
  private static void checkFrameSize(byte[] jpeg, int rows, int columns, String source) {
    int pos = 2;
    if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
      throw new Gradcam3dException(source + ": its pixel data is not a JPEG stream (no start-of-image marker).");
    }
    while (pos + 4 <= jpeg.length) {
      if ((jpeg[pos] & 0xff) != 0xFF) {
        break;
      }
      int marker = jpeg[pos + 1] & 0xff;
      int length = (jpeg[pos + 2] & 0xff) << 8 | (jpeg[pos + 3] & 0xff);
      boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (frame) {
        if (pos + 10 > jpeg.length) {
          break;
        }
        int height = (jpeg[pos + 5] & 0xff) << 8 | (jpeg[pos + 6] & 0xff);
        int width = (jpeg[pos + 7] & 0xff) << 8 | (jpeg[pos + 8] & 0xff);
        int components = jpeg[pos + 9] & 0xff;
        if (height != rows || width != columns || components != 1) {
          throw new Gradcam3dException(source + ": its JPEG frame is " + width + "x" + height + " with " + components
              + " components, but the header says " + columns + "x" + rows + " with 1.");
        }
        return;
      }
      pos += 2 + length;
    }
    throw new Gradcam3dException(source + ": its JPEG stream has no frame header (SOF marker); it is damaged.");
  }

  /** TwelveMonkeys' JPEG reader (registered through ImageIO's service loader), found once. */
  private static ImageReader reader() {
    ImageReaderSpi spi = Provider.SPI;
    if (spi == null) {
      throw new Gradcam3dException("the JPEG decoder (TwelveMonkeys imageio-jpeg) is missing from the class path.");
    }
    try {
      return spi.createReaderInstance();
    } catch (IOException e) {
      throw new Gradcam3dException("cannot start the JPEG decoder: " + e.getMessage(), e);
    }
  }

  private static final class Provider {
    static final ImageReaderSpi SPI = find();

    private static ImageReaderSpi find() {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
      while (readers.hasNext()) {
        ImageReader r = readers.next();
        try {
          if (r.getClass().getName().startsWith("com.twelvemonkeys.")) {
            return r.getOriginatingProvider();
          }
        } finally {
          r.dispose();
        }
      }
      return null;
    }
  }
}
