//! One function per check id. Each returns its result as if the check were a FAIL-severity
//! rule; the engine applies the profile's severity afterwards.

mod face;
mod file;
mod geometry;
mod image;
mod pixels;

use passport_model::CheckResult;

use crate::catalogue::CheckId;
use crate::context::Ctx;

pub(crate) fn run(id: CheckId, ctx: &Ctx<'_>) -> CheckResult {
    let outcome = match id {
        CheckId::FileFormat => file::format(ctx),
        CheckId::FileSize => file::size(ctx),
        CheckId::ImageDecodable => image::decodable(ctx),
        CheckId::ImageDimensions => image::dimensions(ctx),
        CheckId::ImageAspect => image::aspect(ctx),
        CheckId::ImageColour => image::colour(ctx),
        CheckId::FaceCount => face::count(ctx),
        CheckId::FaceInFrame => geometry::in_frame(ctx),
        CheckId::FaceHeadSize => geometry::head_size(ctx),
        CheckId::FacePose => face::pose(ctx),
        CheckId::FaceEyesOpen => face::eyes_open(ctx),
        CheckId::FaceSunglasses => face::sunglasses(ctx),
        CheckId::FaceOcclusion => face::occlusion(ctx),
        CheckId::FaceEyeglasses => face::eyeglasses(ctx),
        CheckId::FaceMouthClosed => face::mouth_closed(ctx),
        CheckId::FaceExpression => face::expression(ctx),
        CheckId::FaceGaze => face::gaze(ctx),
        CheckId::FaceEyeLine => geometry::eye_line(ctx),
        CheckId::FaceCentred => geometry::centred(ctx),
        CheckId::FaceInterEye => geometry::inter_eye(ctx),
        CheckId::ImageBackground => pixels::background(ctx),
        CheckId::ImageLighting => pixels::lighting(ctx),
        CheckId::ImageExposure => pixels::exposure(ctx),
        CheckId::ImageNaturalColour => pixels::natural_colour(ctx),
        CheckId::ImageSharpness => pixels::sharpness(ctx),
        CheckId::FaceSharpness => face::sharpness(ctx),
        CheckId::FaceBrightness => face::brightness(ctx),
        CheckId::ImageCompression => pixels::compression(ctx),
    };
    outcome.unwrap_or_else(|skipped| skipped)
}

/// A check either produces its result or is skipped (the `Err` carries the SKIPPED result).
pub(crate) type Outcome = Result<CheckResult, CheckResult>;
