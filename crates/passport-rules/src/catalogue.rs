//! Every check of RULES.md, in order of importance: what an applicant should fix first
//! comes first (a file we cannot read before a face we cannot find, before its pose).

use std::fmt;
use std::str::FromStr;

macro_rules! catalogue {
    ($($variant:ident => $id:literal, $title:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId { $($variant),* }

        impl CheckId {
            /// All checks, most important first.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(CheckId::$variant => $id),* }
            }

            /// A short human title, for tables.
            pub fn title(self) -> &'static str {
                match self { $(CheckId::$variant => $title),* }
            }
        }

        impl FromStr for CheckId {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($id => Ok(CheckId::$variant),)*
                    other => Err(format!("unknown check id {other:?}")),
                }
            }
        }
    };
}

catalogue! {
    FileFormat => "file.format", "File format";
    FileSize => "file.size", "File size";
    ImageDecodable => "image.decodable", "Image data intact";
    ImageDimensions => "image.dimensions", "Pixel dimensions";
    ImageAspect => "image.aspect", "Aspect ratio";
    ImageColour => "image.colour", "Colour photo";
    FaceCount => "face.count", "Exactly one face";
    FaceInFrame => "face.in_frame", "Whole head in the frame";
    FaceHeadSize => "face.head_size", "Head size";
    FacePose => "face.pose", "Head straight";
    FaceEyesOpen => "face.eyes_open", "Eyes open";
    FaceSunglasses => "face.sunglasses", "No sunglasses";
    FaceOcclusion => "face.occlusion", "Face uncovered";
    FaceEyeglasses => "face.eyeglasses", "Glasses";
    FaceMouthClosed => "face.mouth_closed", "Mouth closed";
    FaceExpression => "face.expression", "Neutral expression";
    FaceGaze => "face.gaze", "Looking at the camera";
    FaceEyeLine => "face.eye_line", "Eye height";
    FaceCentred => "face.centred", "Face centred";
    FaceInterEye => "face.inter_eye", "Face resolution";
    ImageBackground => "image.background", "Plain light background";
    ImageLighting => "image.lighting", "Even lighting";
    ImageExposure => "image.exposure", "Exposure";
    ImageNaturalColour => "image.natural_colour", "Natural skin colour";
    ImageSharpness => "image.sharpness", "Image sharpness";
    FaceSharpness => "face.sharpness", "Face sharpness";
    FaceBrightness => "face.brightness", "Face brightness";
    ImageCompression => "image.compression", "Compression";
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for id in CheckId::ALL {
            assert_eq!(id.as_str().parse::<CheckId>().unwrap(), *id);
            assert!(seen.insert(id.as_str()));
        }
        assert_eq!(CheckId::ALL.len(), 28, "every row of RULES.md");
        assert!("face.bogus".parse::<CheckId>().is_err());
    }
}
