package dev.embedstore.cli.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {
  @TempDir Path dir;

  @Test
  void walksFoldersInOrderSkippingHiddenOnes() throws IOException {
    Files.createDirectories(dir.resolve("b/sub"));
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve("b/sub/z.md"), "z");
    Files.writeString(dir.resolve("b/a.txt"), "a");
    Files.writeString(dir.resolve("c.txt"), "c");
    Files.writeString(dir.resolve(".hidden.txt"), "h");
    Files.writeString(dir.resolve(".git/config"), "g");
    Path single = Files.writeString(dir.resolve("single.txt"), "s");
    List<Path> files = TextFiles.list(List.of(dir.resolve("b"), dir.resolve("c.txt"), single));
    assertEquals(
        List.of(dir.resolve("b/a.txt"), dir.resolve("b/sub/z.md"), dir.resolve("c.txt"), single),
        files);
    List<Path> all = TextFiles.list(List.of(dir));
    assertTrue(all.stream().noneMatch(p -> p.toString().contains(".git")), all.toString());
    assertTrue(all.stream().noneMatch(p -> p.toString().contains(".hidden")), all.toString());
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> TextFiles.list(List.of(dir.resolve("nope"))));
    assertTrue(e.getMessage().contains("nope"));
  }

  @Test
  void tellsTextFromBinary() {
    assertEquals(
        new TextFiles.Content.Text("héllo\n", false),
        TextFiles.decode("\uFEFFhéllo\n".getBytes(StandardCharsets.UTF_8)));
    assertInstanceOf(
        TextFiles.Content.Binary.class, TextFiles.decode(new byte[] {'P', 'K', 3, 4, 0, 0}));
    byte[] latin1 = "caf\u00e9 ".repeat(10).getBytes(StandardCharsets.ISO_8859_1);
    assertInstanceOf(TextFiles.Content.Binary.class, TextFiles.decode(latin1));
    // One stray byte in a long UTF-8 text: text, with the byte replaced and reported.
    byte[] mostlyText = ("x".repeat(5000) + "\u00e9").getBytes(StandardCharsets.ISO_8859_1);
    TextFiles.Content c = TextFiles.decode(mostlyText);
    TextFiles.Content.Text t = assertInstanceOf(TextFiles.Content.Text.class, c);
    assertTrue(t.invalidUtf8());
    assertTrue(t.text().endsWith("\uFFFD"));
    assertTrue(TextFiles.isJsonl(Path.of("A.JSONL")));
  }
}
