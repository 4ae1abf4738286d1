//! Turning an uploaded file into the sizes we serve: decoded with the `image` crate under
//! limits, turned upright by its EXIF orientation, cropped to the kind's shape, resized and
//! written again as JPEG. Writing it again is what strips the metadata (location, camera):
//! nothing of the original file but its pixels is kept. No I/O; callers run it off the request
//! threads (`super::prepare`).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};

/// The largest file accepted, in bytes (5 MB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The largest side accepted, in pixels.
pub const MAX_SIDE: u32 = 8_000;
/// The most memory a decoder may take for one picture.
pub const MAX_ALLOC: u64 = 64 * 1024 * 1024;
/// JPEG quality of what we serve.
const QUALITY: u8 = 85;

/// What a picture is for, which decides its shape and sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A member's photo: square.
    Avatar,
    /// An event's cover: 1.91 to 1, the shape link previews use.
    Cover,
}

impl Kind {
    /// The sizes served, as (width, height), smallest first.
    pub fn sizes(self) -> &'static [(u32, u32)] {
        match self {
            Kind::Avatar => &[(64, 64), (256, 256)],
            Kind::Cover => &[(600, 315), (1200, 630)],
        }
    }

    /// The stored kind (`store::photos`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Avatar => store::photos::AVATAR,
            Kind::Cover => store::photos::COVER,
        }
    }
}

/// Why a file was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge,
    WrongType,
    Unreadable,
    TooManyPixels,
}

impl Refusal {
    /// What the member reads next to the field.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Empty => "Choose a picture to upload.",
            Refusal::TooLarge => "This file is larger than 5 MB. Choose a smaller picture.",
            Refusal::WrongType => "This kind of file isn't taken. Choose a JPEG, PNG or WebP picture.",
            Refusal::Unreadable => {
                "This file isn't a picture we can read. Choose a JPEG, PNG or WebP picture."
            }
            Refusal::TooManyPixels => {
                "This picture has too many pixels to open: at most about 20 megapixels, and 8,000 on a side. Choose a smaller one."
            }
        }
    }
}

/// Every size of `bytes` for `kind`, as (width, JPEG bytes), smallest first.
pub fn process(bytes: &[u8], kind: Kind) -> Result<Vec<(u32, Vec<u8>)>, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let picture = upright(bytes)?;
    let (w, h) = kind.sizes().last().copied().unwrap_or((256, 256));
    let cropped = crop_to(&picture, w, h);
    kind.sizes()
        .iter()
        .map(|&(w, h)| {
            let sized = cropped.resize_exact(w, h, FilterType::CatmullRom);
            Ok((w, jpeg(&flatten(&sized))?))
        })
        .collect()
}

/// Decodes under the limits and applies the EXIF orientation.
fn upright(bytes: &[u8]) -> Result<DynamicImage, Refusal> {
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| Refusal::Unreadable)?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        Some(_) => return Err(Refusal::WrongType),
        None => return Err(Refusal::Unreadable),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    // The decoder checks the sides; the pixels' memory is checked here, before it is taken.
    limits.reserve(decoder.total_bytes()).map_err(refusal)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

fn refusal(e: ImageError) -> Refusal {
    match e {
        ImageError::Limits(_) => Refusal::TooManyPixels,
        ImageError::Unsupported(_) => Refusal::WrongType,
        _ => Refusal::Unreadable,
    }
}

/// The largest centred part of `picture` with the shape `w` by `h`.
fn crop_to(picture: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    let (pw, ph) = (u64::from(picture.width()), u64::from(picture.height()));
    let (w, h) = (u64::from(w), u64::from(h));
    // Keep the whole width when the picture is taller than the shape, else the whole height.
    let (cw, ch) = if pw * h <= ph * w { (pw, (pw * h / w).max(1)) } else { ((ph * w / h).max(1), ph) };
    let (x, y) = ((pw - cw) / 2, (ph - ch) / 2);
    // Both fit in u32: they are at most the picture's own sides.
    let side = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    picture.crop_imm(side(x), side(y), side(cw), side(ch))
}

/// Transparent parts laid over white (JPEG has no transparency).
fn flatten(picture: &DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let over_white = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([over_white(p[0]), over_white(p[1]), over_white(p[2])])
    })
}

fn jpeg(rgb: &RgbImage) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(rgb).map_err(|_| Refusal::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, Rgba, RgbaImage};

    /// A `w` by `h` picture, red on its left half and blue on its right, as PNG or JPEG.
    fn halves(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, _| if x < w / 2 { Rgb([220, 0, 0]) } else { Rgb([0, 0, 220]) });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encodes");
        out.into_inner()
    }

    /// `jpeg` with an EXIF block saying "rotate 90° clockwise to show" (orientation 6).
    fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 1]); // one entry
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation, SHORT, 6
        tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = u16::try_from(app1.len() + 2).expect("short");
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn decode(bytes: &[u8]) -> RgbImage {
        image::load_from_memory(bytes).expect("our own output decodes").to_rgb8()
    }

    fn reddish(p: &Rgb<u8>) -> bool {
        p[0] > 150 && p[2] < 80
    }

    fn bluish(p: &Rgb<u8>) -> bool {
        p[2] > 150 && p[0] < 80
    }

    #[test]
    fn every_size_is_made_in_the_kinds_shape() {
        let files = process(&halves(900, 500, ImageFormat::Png), Kind::Cover).expect("taken");
        let widths: Vec<u32> = files.iter().map(|(w, _)| *w).collect();
        assert_eq!(widths, [600, 1200]);
        let big = decode(&files[1].1);
        assert_eq!((big.width(), big.height()), (1200, 630));
        let avatars = process(&halves(500, 900, ImageFormat::Jpeg), Kind::Avatar).expect("taken");
        let small = decode(&avatars[0].1);
        assert_eq!((small.width(), small.height()), (64, 64));
    }

    #[test]
    fn the_exif_orientation_is_applied_and_then_stripped() {
        let sideways = with_orientation_6(&halves(80, 40, ImageFormat::Jpeg));
        let files = process(&sideways, Kind::Avatar).expect("taken");
        let out = decode(&files[1].1);
        // Turned upright, the left half (red) is on top.
        assert!(reddish(out.get_pixel(128, 20)), "{:?}", out.get_pixel(128, 20));
        assert!(bluish(out.get_pixel(128, 236)), "{:?}", out.get_pixel(128, 236));
        for (_, bytes) in &files {
            assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no metadata is kept");
        }
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let clear = RgbaImage::from_pixel(10, 10, Rgba([0, 0, 0, 0]));
        let mut png = Cursor::new(Vec::new());
        clear.write_to(&mut png, ImageFormat::Png).expect("encodes");
        let files = process(png.get_ref(), Kind::Avatar).expect("taken");
        let p = *decode(&files[0].1).get_pixel(30, 30);
        assert!(p.0.iter().all(|c| *c > 240), "{p:?}");
    }

    #[test]
    fn what_is_not_a_picture_we_take_is_refused_with_its_reason() {
        assert_eq!(process(b"", Kind::Avatar), Err(Refusal::Empty));
        assert_eq!(process(b"hello, this is text", Kind::Avatar), Err(Refusal::Unreadable));
        assert_eq!(process(&vec![0xFF; MAX_BYTES + 1], Kind::Avatar), Err(Refusal::TooLarge));
        assert_eq!(process(b"GIF89a\x01\0\x01\0\0\0\0;", Kind::Avatar), Err(Refusal::WrongType));
        let mut cut = halves(200, 200, ImageFormat::Png);
        cut.truncate(cut.len() / 2);
        assert_eq!(process(&cut, Kind::Avatar), Err(Refusal::Unreadable));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_its_pixels_are_allocated() {
        // A few hundred bytes that claim 7,900 × 7,900 pixels: 250 MB once decoded.
        assert_eq!(process(&png_claiming(7_900, 7_900), Kind::Avatar), Err(Refusal::TooManyPixels));
        // And one whose side alone is over the limit.
        assert_eq!(process(&png_claiming(9_000, 10), Kind::Avatar), Err(Refusal::TooManyPixels));
    }

    /// A PNG whose header claims `w` by `h` RGBA pixels, with a few bytes of data.
    fn png_claiming(w: u32, h: u32) -> Vec<u8> {
        let mut small = Cursor::new(Vec::new());
        image::codecs::png::PngEncoder::new(&mut small)
            .write_image(&[0; 4], 1, 1, image::ExtendedColorType::Rgba8)
            .expect("encodes");
        let mut png = small.into_inner();
        // IHDR's data starts after the signature (8), the length (4) and the type (4).
        png[16..20].copy_from_slice(&w.to_be_bytes());
        png[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    /// The PNG chunk checksum (CRC-32, polynomial 0xEDB88320), for the edited header above.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
