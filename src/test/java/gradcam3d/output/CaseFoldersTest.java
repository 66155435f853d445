package gradcam3d.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Case folder names are safe, unique and stay inside --out; batch.csv is RFC 4180. */
class CaseFoldersTest {
  @Test
  void dotsAndOddCharactersCannotLeaveTheFolder() {
    List<Path> cases = List.of(Path.of("in/...nii.gz"), Path.of("in/..nii.gz"), Path.of("in/.hidden.npy"),
        Path.of("in/a b\nc.npy"), Path.of("in/ok_1.nii"));
    assertEquals(List.of("case", "case-2", "hidden", "a_b_c", "ok_1"), CaseFolders.names(cases));
  }

  @Test
  void twoInputsNeverShareAFolder() {
    List<Path> cases = List.of(Path.of("a/scan.nii.gz"), Path.of("b/scan.npy"), Path.of("c/SCAN.nii"),
        Path.of("d/scan-2.npy"));
    assertEquals(List.of("scan", "scan-2", "SCAN-3", "scan-2-2"), CaseFolders.names(cases));
  }

  @Test
  void csvQuotesCommasQuotesAndLineBreaks() {
    CsvTable t = new CsvTable(List.of("case", "error"));
    t.add(List.of("a", "plain"));
    t.add(List.of("b", "x, y"));
    t.add(List.of("c", "say \"no\""));
    t.add(List.of("d", "two\nlines"));
    assertEquals("case,error\r\na,plain\r\nb,\"x, y\"\r\nc,\"say \"\"no\"\"\"\r\nd,\"two\nlines\"\r\n", t.text());
  }
}
