//! Just inside and just outside every numeric limit of every profile. Outside, a check
//! reports its profile severity (FAIL, or WARN for calibrated checks).

mod support;

use passport_model::{CheckStatus, ExecutionDocument, FaceAnalysis};
use passport_rules::{evaluate, icao, uk, us, CheckId, Profile, Severity};
use support::*;

const EPS: f64 = 1e-6;

fn violation(profile: &Profile, id: &str) -> CheckStatus {
    match profile.severity(id.parse::<CheckId>().unwrap()) {
        Severity::Fail => CheckStatus::Fail,
        Severity::Warn => CheckStatus::Warn,
        Severity::Off => CheckStatus::Skipped,
    }
}

/// A compliant document for the profile: its sizes and a face in the middle of its ranges.
fn base(p: &Profile) -> ExecutionDocument {
    let l = &p.limits;
    let (w, h) = if p.name == "us" {
        (900u32, 900u32)
    } else {
        (600, 750)
    };
    let size = if p.name == "us" { 200_000 } else { 300_000 };
    let mid = |r: passport_rules::Range| (r.min.unwrap() + r.max.unwrap()) / 2.0;
    let face = face_with_geometry(
        mid(l.head_size),
        mid(l.eye_line),
        0.5,
        150.0,
        f64::from(w),
        f64::from(h),
    );
    doc_sized(analysis(vec![face]), w, h, size)
}

fn assert_boundary(
    p: &Profile,
    id: &str,
    set: impl Fn(&mut ExecutionDocument, f64),
    limit: f64,
    inside: f64,
    outside: f64,
) {
    let mut d = base(p);
    set(&mut d, inside);
    let v = evaluate(&d, p);
    assert_eq!(
        status(&v, id),
        CheckStatus::Pass,
        "{} {id} at {inside} (limit {limit}): {:?}",
        p.name,
        check(&v, id)
    );
    let mut d = base(p);
    set(&mut d, outside);
    let v = evaluate(&d, p);
    assert_eq!(
        status(&v, id),
        violation(p, id),
        "{} {id} at {outside} (limit {limit}): {:?}",
        p.name,
        check(&v, id)
    );
}

/// Inclusive upper limit: the limit itself passes, a hair above does not.
fn max_bound(p: &Profile, id: &str, limit: f64, set: impl Fn(&mut ExecutionDocument, f64)) {
    assert_boundary(
        p,
        id,
        set,
        limit,
        limit - EPS,
        limit + EPS.max(limit.abs() * 1e-9),
    );
}

fn min_bound(p: &Profile, id: &str, limit: f64, set: impl Fn(&mut ExecutionDocument, f64)) {
    assert_boundary(
        p,
        id,
        set,
        limit,
        limit + EPS,
        limit - EPS.max(limit.abs() * 1e-9),
    );
}

fn face_mut(d: &mut ExecutionDocument) -> &mut passport_model::Face {
    &mut d.faces.as_mut().unwrap().faces[0]
}

fn img(d: &mut ExecutionDocument) -> &mut passport_model::ImageMeasures {
    d.image.as_mut().unwrap()
}

fn profiles() -> Vec<Profile> {
    vec![icao(), us(), uk()]
}

fn set_geometry(
    d: &mut ExecutionDocument,
    p: &Profile,
    head: Option<f64>,
    eye: Option<f64>,
    centre: Option<f64>,
    inter: Option<f64>,
) {
    let l = &p.limits;
    let mid = |r: passport_rules::Range| (r.min.unwrap() + r.max.unwrap()) / 2.0;
    let m = d.metadata.as_ref().unwrap();
    let (w, h) = (f64::from(m.width.unwrap()), f64::from(m.height.unwrap()));
    let f = face_with_geometry(
        head.unwrap_or(mid(l.head_size)),
        eye.unwrap_or(mid(l.eye_line)),
        centre.unwrap_or(0.5),
        inter.unwrap_or(150.0),
        w,
        h,
    );
    d.faces = Some(FaceAnalysis {
        faces: vec![f],
        ..d.faces.clone().unwrap()
    });
}

#[test]
fn file_size_limits() {
    for p in profiles() {
        let r = p.limits.file_size_bytes;
        let set = |d: &mut ExecutionDocument, v: f64| d.metadata.as_mut().unwrap().size_bytes = v as u64;
        // Whole bytes: the limit itself is inside, one byte more is outside.
        assert_boundary(
            &p,
            "file.size",
            set,
            r.max.unwrap(),
            r.max.unwrap(),
            r.max.unwrap() + 1.0,
        );
        assert_boundary(
            &p,
            "file.size",
            set,
            r.min.unwrap(),
            r.min.unwrap(),
            r.min.unwrap() - 1.0,
        );
    }
}

#[test]
fn dimension_and_aspect_limits() {
    for p in profiles() {
        let l = p.limits.clone();
        // Change one side while keeping the aspect check out of the way.
        let set_w = |d: &mut ExecutionDocument, v: f64| d.metadata.as_mut().unwrap().width = Some(v as u32);
        let set_h = |d: &mut ExecutionDocument, v: f64| d.metadata.as_mut().unwrap().height = Some(v as u32);
        let wmin = l.width_px.min.unwrap();
        assert_boundary(&p, "image.dimensions", set_w, wmin, wmin, wmin - 1.0);
        let hmin = l.height_px.min.unwrap();
        assert_boundary(&p, "image.dimensions", set_h, hmin, hmin, hmin - 1.0);
        if let Some(wmax) = l.width_px.max {
            assert_boundary(&p, "image.dimensions", set_w, wmax, wmax, wmax + 1.0);
        }
        if let Some(hmax) = l.height_px.max {
            assert_boundary(&p, "image.dimensions", set_h, hmax, hmax, hmax + 1.0);
        }
        // Aspect: fix the height at 1000 and move the width around the limit in pixels.
        let set_aspect = |d: &mut ExecutionDocument, ratio: f64| {
            let m = d.metadata.as_mut().unwrap();
            m.height = Some(1000);
            m.width = Some((ratio * 1000.0).round() as u32);
        };
        let (amin, amax) = (l.aspect.min.unwrap(), l.aspect.max.unwrap());
        assert_boundary(&p, "image.aspect", set_aspect, amin, amin, amin - 0.001);
        assert_boundary(&p, "image.aspect", set_aspect, amax, amax, amax + 0.001);
    }
}

#[test]
fn pose_and_gaze_limits() {
    for p in profiles() {
        let l = p.limits.clone();
        for (axis, limit) in [
            ("yaw", l.max_yaw_deg),
            ("pitch", l.max_pitch_deg),
            ("roll", l.max_roll_deg),
        ] {
            for sign in [1.0, -1.0] {
                let set = move |d: &mut ExecutionDocument, v: f64| {
                    let pose = face_mut(d).pose.as_mut().unwrap();
                    match axis {
                        "yaw" => pose.yaw = sign * v,
                        "pitch" => pose.pitch = sign * v,
                        _ => pose.roll = sign * v,
                    }
                };
                max_bound(&p, "face.pose", limit, set);
            }
        }
        let set = |d: &mut ExecutionDocument, v: f64| face_mut(d).eye_direction.as_mut().unwrap().yaw = v;
        max_bound(&p, "face.gaze", l.max_gaze_deg, set);
    }
}

#[test]
fn geometry_limits() {
    for p in profiles() {
        let l = p.limits.clone();
        let pp = p.clone();
        let head = move |d: &mut ExecutionDocument, v: f64| set_geometry(d, &pp, Some(v), None, None, None);
        min_bound(&p, "face.head_size", l.head_size.min.unwrap(), &head);
        max_bound(&p, "face.head_size", l.head_size.max.unwrap(), &head);
        let pp = p.clone();
        let eye = move |d: &mut ExecutionDocument, v: f64| set_geometry(d, &pp, None, Some(v), None, None);
        min_bound(&p, "face.eye_line", l.eye_line.min.unwrap(), &eye);
        max_bound(&p, "face.eye_line", l.eye_line.max.unwrap(), &eye);
        let pp = p.clone();
        let centre =
            move |d: &mut ExecutionDocument, v: f64| set_geometry(d, &pp, None, None, Some(0.5 + v), None);
        max_bound(&p, "face.centred", l.max_centre_offset, centre);
        let pp = p.clone();
        let inter = move |d: &mut ExecutionDocument, v: f64| set_geometry(d, &pp, None, None, None, Some(v));
        min_bound(&p, "face.inter_eye", l.min_inter_eye_px, inter);
    }
}

#[test]
fn quality_limits() {
    for p in profiles() {
        let l = p.limits.clone();
        let bright = |d: &mut ExecutionDocument, v: f64| face_mut(d).quality.as_mut().unwrap().brightness = v;
        min_bound(&p, "face.brightness", l.face_brightness.min.unwrap(), bright);
        max_bound(&p, "face.brightness", l.face_brightness.max.unwrap(), bright);
        let sharp = |d: &mut ExecutionDocument, v: f64| face_mut(d).quality.as_mut().unwrap().sharpness = v;
        min_bound(&p, "face.sharpness", l.min_face_sharpness, sharp);
    }
}

#[test]
fn pixel_limits() {
    for p in profiles() {
        let l = p.limits.clone();
        let light =
            move |d: &mut ExecutionDocument, v: f64| img(d).background.as_mut().unwrap().mean_lightness = v;
        min_bound(&p, "image.background", l.background.min_lightness, light);
        let std = move |d: &mut ExecutionDocument, v: f64| {
            img(d).background.as_mut().unwrap().luminance_std_dev = v
        };
        max_bound(&p, "image.background", l.background.max_luminance_std_dev, std);
        let grad =
            move |d: &mut ExecutionDocument, v: f64| img(d).background.as_mut().unwrap().mean_gradient = v;
        max_bound(&p, "image.background", l.background.max_mean_gradient, grad);
        let overlap =
            move |d: &mut ExecutionDocument, v: f64| img(d).lighting.as_mut().unwrap().histogram_overlap = v;
        min_bound(&p, "image.lighting", l.min_lighting_overlap, overlap);
        let under = move |d: &mut ExecutionDocument, v: f64| {
            img(d).exposure.as_mut().unwrap().under_exposed_share = v
        };
        max_bound(&p, "image.exposure", l.max_under_exposed_share, under);
        let over =
            move |d: &mut ExecutionDocument, v: f64| img(d).exposure.as_mut().unwrap().over_exposed_share = v;
        max_bound(&p, "image.exposure", l.max_over_exposed_share, over);
        let a = move |d: &mut ExecutionDocument, v: f64| img(d).colour.as_mut().unwrap().mean_a = v;
        min_bound(&p, "image.natural_colour", l.skin_a.min.unwrap(), a);
        max_bound(&p, "image.natural_colour", l.skin_a.max.unwrap(), a);
        let b = move |d: &mut ExecutionDocument, v: f64| img(d).colour.as_mut().unwrap().mean_b = v;
        min_bound(&p, "image.natural_colour", l.skin_b.min.unwrap(), b);
        max_bound(&p, "image.natural_colour", l.skin_b.max.unwrap(), b);
        let lap = move |d: &mut ExecutionDocument, v: f64| {
            img(d).sharpness.as_mut().unwrap().laplacian_variance = v
        };
        min_bound(&p, "image.sharpness", l.min_laplacian_variance, lap);
        let ratio = move |d: &mut ExecutionDocument, v: f64| img(d).compression.as_mut().unwrap().ratio = v;
        max_bound(&p, "image.compression", l.max_compression_ratio, ratio);
    }
}

#[test]
fn us_compression_rule_is_a_failure_and_others_warn() {
    assert_eq!(violation(&us(), "image.compression"), CheckStatus::Fail);
    assert_eq!(violation(&icao(), "image.compression"), CheckStatus::Warn);
    assert_eq!(violation(&uk(), "image.background"), CheckStatus::Warn);
}
